package dev.cluws.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.SystemConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AMQP 0-9-1 broker in this process (Apache Qpid Broker-J, in memory), listening on a loopback
 * address only, with the one user {@code guest}/{@code guest} and the virtual host {@code /}:
 * enough for trying clu-ws and for developing CLU actors on one machine without RabbitMQ. It is not
 * RabbitMQ: see docs/operations.md, "Embedded broker", for what differs; in short, RabbitMQ's queue
 * argument {@code x-expires} is ignored (a queue stays until deleted or the broker stops), {@code
 * x-single-active-consumer} works (a second consumer waits), and an unroutable mandatory publish is
 * nacked before it is returned.
 *
 * <p>{@link #start} binds the port before it returns; {@link #close} stops the broker and deletes
 * its temporary work folder. Nothing is kept across starts.
 */
public final class EmbeddedBroker implements AutoCloseable {
  /** The one user, and its password. */
  public static final String USER = "guest";

  public static final String PASSWORD = "guest";

  private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);
  private static final String CONFIGURATION = "embedded-broker.json";
  private static final String UNKNOWN_ARGUMENTS = "queue.behaviourOnUnknownDeclareArgument";

  /**
   * What this broker does differently from RabbitMQ that clu-ws's users may notice, in a few words
   * for a log line; docs/operations.md has the whole list.
   */
  public static final String DIFFERENCES =
      "Apache Qpid Broker-J in memory, for trying clu-ws and developing actors, not RabbitMQ:"
          + " queues never expire (x-expires is ignored)";

  private final SystemLauncher launcher;
  private final Path workFolder;
  private final String host;
  private final int port;
  private boolean closed;

  private EmbeddedBroker(SystemLauncher launcher, Path workFolder, String host, int port) {
    this.launcher = launcher;
    this.workFolder = workFolder;
    this.host = host;
    this.port = port;
  }

  /**
   * Starts a broker listening on {@code host:port}.
   *
   * @param host a loopback address or name ({@code localhost}, {@code 127.0.0.1}, {@code ::1})
   * @param port the port, or 0 for any free one ({@link #port()} tells which)
   * @throws IllegalArgumentException when {@code host} is not a loopback address
   * @throws EmbeddedBrokerException when the broker cannot start (the port is taken, say)
   */
  public static EmbeddedBroker start(String host, int port) {
    InetAddress address = loopback(host);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
    }
    if (port != 0) {
      refuseIfTaken(address, port);
    }
    Path workFolder;
    try {
      workFolder = Files.createTempDirectory("clu-ws-broker-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the embedded broker's work folder", e);
    }
    AtomicReference<SystemConfig<?>> system = new AtomicReference<>();
    SystemLauncher launcher =
        new SystemLauncher(
            new SystemLauncherListener.DefaultSystemLauncherListener() {
              @Override
              public void onContainerResolve(SystemConfig<?> systemConfig) {
                system.set(systemConfig);
              }
            });
    try {
      launcher.startup(attributes(address, port, workFolder));
      Broker<?> broker = broker(system.get());
      int bound = boundPort(broker);
      ownShutdown(broker);
      return new EmbeddedBroker(launcher, workFolder, address.getHostAddress(), bound);
    } catch (Exception e) {
      try {
        launcher.shutdown();
      } catch (RuntimeException ignored) {
        // it did not start: nothing more to stop
      }
      deleteQuietly(workFolder);
      throw new EmbeddedBrokerException(
          "cannot start the embedded broker on "
              + hostAndPort(address.getHostAddress(), port)
              + ": "
              + reason(e),
          e);
    }
  }

  /**
   * Whether {@code host} names a loopback address, the only kind the embedded broker listens on. A
   * name that does not resolve is not.
   */
  public static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The address the broker listens on, as an IP address literal. */
  public String host() {
    return host;
  }

  /** The port the broker listens on. */
  public int port() {
    return port;
  }

  /** The URI CLU actors and clients connect with: {@code amqp://guest:guest@127.0.0.1:5672/}. */
  public String amqpUri() {
    return "amqp://" + USER + ":" + PASSWORD + "@" + hostAndPort(host, port) + "/";
  }

  /** Stops the broker (its clients' connections close) and deletes its work folder. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      launcher.shutdown();
    } finally {
      deleteQuietly(workFolder);
    }
  }

  @Override
  public String toString() {
    return "embedded broker on " + hostAndPort(host, port);
  }

  private static InetAddress loopback(String host) {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown host '" + host + "'", e);
    }
    if (!address.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "the embedded broker listens on a loopback address only (localhost, 127.0.0.1, ::1), not "
              + host
              + "; for a broker other machines can reach, run RabbitMQ");
    }
    return address;
  }

  /** A taken port is one clear error, before Broker-J would log its own at ERROR. */
  private static void refuseIfTaken(InetAddress address, int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(address, port));
    } catch (IOException e) {
      throw new EmbeddedBrokerException(
          "cannot start the embedded broker on "
              + hostAndPort(address.getHostAddress(), port)
              + ": the address is in use or not available",
          e);
    }
  }

  private static Map<String, Object> attributes(InetAddress address, int port, Path workFolder) {
    URL configuration = EmbeddedBroker.class.getResource(CONFIGURATION);
    if (configuration == null) {
      throw new IllegalStateException(CONFIGURATION + " is missing from the class path");
    }
    Map<String, Object> context = new HashMap<>();
    context.put("qpid.amqp_port", port);
    context.put("clu_ws.bind_address", address.getHostAddress());
    context.put("qpid.work_dir", workFolder.toString());
    context.put("qpid.home_dir", workFolder.toString());
    context.put("qpid.broker.defaultPreferenceStoreAttributes", "{\"type\": \"Noop\"}");
    // RabbitMQ's x-expires (the gateway's replies queue outliving a cut) has no Broker-J
    // counterpart: accept the declaration without it rather than close the connection.
    context.put(UNKNOWN_ARGUMENTS, "IGNORE");
    Map<String, Object> attributes = new HashMap<>();
    attributes.put("type", "Memory");
    attributes.put("initialConfigurationLocation", configuration.toExternalForm());
    attributes.put("startupLoggedToSystemOut", false);
    attributes.put("context", context);
    return attributes;
  }

  private static Broker<?> broker(SystemConfig<?> system) {
    if (system == null) {
      throw new IllegalStateException("the broker did not report its configuration");
    }
    return system.getContainer(Broker.class);
  }

  /**
   * Takes the broker's stop away from its own JVM shutdown hook, so that the owner stops it after
   * the clients that use it ({@link #close()}): on SIGTERM, Broker-J's hook would otherwise close
   * the connections of a gateway that is still stopping gracefully. Best effort: without it, only
   * the order of the shutdown changes.
   */
  private static void ownShutdown(Broker<?> broker) {
    for (Class<?> type = broker.getClass(); type != null; type = type.getSuperclass()) {
      try {
        Field field = type.getDeclaredField("_shutdownHook");
        field.setAccessible(true);
        if (field.get(broker) instanceof Thread hook) {
          Runtime.getRuntime().removeShutdownHook(hook);
        }
        return;
      } catch (NoSuchFieldException e) {
        // look in the superclass
      } catch (ReflectiveOperationException | RuntimeException e) {
        log.debug("cannot take over the embedded broker's shutdown hook", e);
        return;
      }
    }
  }

  private static int boundPort(Broker<?> broker) {
    for (Port<?> port : broker.getPorts()) {
      if ("AMQP".equals(port.getName()) && port.getBoundPort() > 0) {
        return port.getBoundPort();
      }
    }
    throw new IllegalStateException("the broker's AMQP port is not bound");
  }

  /** The innermost message: for a taken port, the JDK's "Address already in use". */
  private static String reason(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }

  private static String hostAndPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static void deleteQuietly(Path folder) {
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temporary folder left behind is harmless
    }
  }
}
