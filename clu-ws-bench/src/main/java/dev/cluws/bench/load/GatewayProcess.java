package dev.cluws.bench.load;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real gateway ({@code dev.cluws.cli.Main}) in a child JVM on this tool's class path, listening
 * on 127.0.0.1 on a free port, so that its CPU and memory are its own and can be read from {@code
 * /proc}. Its output goes to a log file, deleted when it stops cleanly. {@link #close()} stops it
 * (SIGTERM, then SIGKILL), also when the tool itself is interrupted.
 */
final class GatewayProcess implements GatewayTarget {
  private static final Logger log = LoggerFactory.getLogger(GatewayProcess.class);
  private static final Duration STOP_WAIT = Duration.ofSeconds(15);

  /** The distribution's etc/logback.xml, copied onto the tool's class path by its build. */
  static final String GATEWAY_LOGBACK = "clu-ws-gateway/logback.xml";

  private final Process process;
  private final URI uri;
  private final String exchange;
  private final Path logFile;
  private final Thread killer;
  private boolean closed;

  private final BrokerSettings broker;
  private final String name;

  private GatewayProcess(
      Process process, URI uri, String exchange, Path logFile, BrokerSettings broker, String name) {
    this.process = process;
    this.broker = broker;
    this.name = name;
    this.uri = uri;
    this.exchange = exchange;
    this.logFile = logFile;
    this.killer = new Thread(process::destroyForcibly, "clu-ws-load-gateway-killer");
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /**
   * Starts a gateway with a fresh exchange and name and waits (at most {@code startTimeout}) until
   * it accepts connections.
   */
  static GatewayProcess start(
      BrokerSettings broker,
      List<String> jvmOptions,
      String classpath,
      List<String> gatewayArgs,
      String exchange,
      String name,
      Duration startTimeout) {
    int port = freePort();
    Path logFile;
    try {
      logFile = Files.createTempFile("clu-ws-load-" + name + "-", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Dlogback.configurationFile="))) {
      // The distribution's logging (INFO, Jetty at WARN), as bin/clu-ws gives it from etc/. A
      // gateway on another class path (an A/B run) gets it by URL from the tool's: without it
      // Logback would log everything at DEBUG, which alone slows a gateway's sends tenfold.
      java.net.URL own = GatewayProcess.class.getClassLoader().getResource(GATEWAY_LOGBACK);
      command.add(
          "-Dlogback.configurationFile="
              + (classpath != null && own != null ? own.toString() : GATEWAY_LOGBACK));
    }
    command.addAll(
        List.of(
            "-cp",
            classpath != null ? classpath : System.getProperty("java.class.path"),
            "dev.cluws.cli.Main",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "-H",
            broker.host(),
            "-P",
            Integer.toString(broker.port()),
            "--rabbitmq-user",
            broker.user(),
            "--exchange",
            exchange,
            "--name",
            name));
    command.addAll(gatewayArgs);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
    builder
        .environment()
        .put("CLU_WS_RABBITMQ_PASSWORD", broker.password()); // not on the command line
    builder.environment().remove("CLU_WS_RABBITMQ_URL");
    builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "2"); // as bin/clu-ws
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the gateway JVM", e);
    }
    GatewayProcess gateway =
        new GatewayProcess(
            process, URI.create("ws://127.0.0.1:" + port + "/"), exchange, logFile, broker, name);
    try {
      gateway.awaitHttp(port, startTimeout);
    } catch (RuntimeException e) {
      gateway.close();
      throw e;
    }
    log.info("gateway {} (pid {}) listens on {}", name, process.pid(), gateway.uri);
    return gateway;
  }

  /**
   * Polls {@code /readyz} every 50 ms until it answers 200 (true), or 426, which a gateway run with
   * {@code --no-health} (or {@code --no-public-admin}) answers for an endpoint it does not serve on
   * this port (false: its readiness cannot be told).
   */
  static boolean awaitReady(URI wsUri, long deadline) {
    URI readyz = URI.create("http://" + wsUri.getHost() + ":" + wsUri.getPort() + "/readyz");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(5)).build();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return true;
        }
        if (response.statusCode() == 426) {
          return false;
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      FanoutRun.sleep(50);
    }
    throw new IllegalStateException("the gateway was not ready in time: " + last);
  }

  private void awaitHttp(int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the gateway exited with status " + process.exitValue() + ":\n" + logTail());
      }
      if (answersHttp(port)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the gateway did not answer HTTP on port "
                + port
                + " within "
                + timeout
                + ":\n"
                + logTail());
      }
      sleep(50);
    }
  }

  /**
   * Whether an HTTP server answers on this loopback port. An open port alone does not tell: a
   * connect to a port nobody listens on yet can connect the probe to itself (TCP self-connect, when
   * the kernel picks the target port as the probe's own), and another program may hold the port
   * this tool found free; either made the tool take a gateway still starting for a running one. A
   * self-connected probe reads back its own request, a silent listener nothing.
   */
  static boolean answersHttp(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      if (socket.getLocalPort() == port) {
        return false; // connected to itself
      }
      socket.setSoTimeout(1_000);
      socket
          .getOutputStream()
          .write(
              "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      byte[] head = socket.getInputStream().readNBytes(5);
      return "HTTP/".equals(new String(head, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      return false; // not listening yet, or not answering
    }
  }

  /**
   * Deletes the gateway's replies queue (kept by the broker for a minute after the gateway left, so
   * that a restarted gateway resumes) and the run's exchange, so that no run leaves anything on the
   * broker.
   */
  private void deleteFromBroker() {
    try (Connection connection = broker.connect("clu-ws-load cleanup")) {
      Channel channel = connection.createChannel();
      channel.queueDelete(name + "_replies");
      channel.exchangeDelete(exchange);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "could not delete the gateway's queue and exchange from the broker: {}", e.toString());
    }
  }

  /** What the gateway has written to its standard output and error so far. */
  String logText() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log: " + e + ")";
    }
  }

  /** The gateway's name; its replies queue is {@code <name>_replies}. */
  String name() {
    return name;
  }

  @Override
  public URI uri() {
    return uri;
  }

  @Override
  public String exchange() {
    return exchange;
  }

  @Override
  public OptionalLong pid() {
    return process.isAlive() ? OptionalLong.of(process.pid()) : OptionalLong.empty();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean clean = false;
    try {
      process.destroy(); // SIGTERM: the gateway closes its websockets and broker connections
      if (process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        clean = true;
      } else {
        log.warn("the gateway did not stop within {}; killing it (log: {})", STOP_WAIT, logFile);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(killer);
      } catch (IllegalStateException e) {
        // the JVM is shutting down; the hook runs anyway
      }
    }
    deleteFromBroker();
    if (clean) {
      try {
        Files.deleteIfExists(logFile);
      } catch (IOException e) {
        log.debug("cannot delete {}", logFile, e);
      }
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
