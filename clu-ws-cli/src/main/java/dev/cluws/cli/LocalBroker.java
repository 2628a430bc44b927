package dev.cluws.cli;

import dev.cluws.amqp.AmqpSettings;
import dev.cluws.broker.EmbeddedBroker;
import dev.cluws.broker.EmbeddedBrokerException;
import dev.cluws.core.spi.CluWsException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;

/**
 * Checks made before the gateway connects: that the websocket port is free (so a taken port is one
 * line, not a broker connection and its log first), and whether to start the embedded broker:
 * always with {@code --embedded-broker}, and with {@code --demo} when nothing listens at the
 * configured broker address and that address is this machine's loopback.
 */
final class LocalBroker {
  /** How long the probe for a broker at the configured address may take. */
  private static final int PROBE_MILLIS = 1000;

  private LocalBroker() {}

  /**
   * Fails with the line the server would print when it cannot listen on {@code host:port}. Port 0
   * (any free port) always passes.
   *
   * @throws CluWsException when the address is in use or not available
   */
  static void requirePortFree(String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // as Jetty binds: a socket in TIME_WAIT does not count
      probe.bind(host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port), 1);
    } catch (IOException | IllegalArgumentException e) {
      throw new CluWsException(
          "cannot listen on "
              + (host == null ? "*" : host)
              + ":"
              + port
              + ": the address is in use or not available",
          e);
    }
  }

  /**
   * Starts the embedded broker when asked ({@code explicit}) or when the demo runs without a broker
   * to talk to; returns {@code null} when none is needed.
   *
   * @param amqp the configured broker
   * @param explicit {@code --embedded-broker}
   * @param demo {@code --demo}, and no {@code --wait-for-broker} (which expects a real broker)
   * @throws CluWsException when the embedded broker cannot run at that address (not loopback, a URI
   *     or TLS configured, the port taken)
   */
  static EmbeddedBroker startIfWanted(AmqpSettings amqp, boolean explicit, boolean demo) {
    if (explicit) {
      if (amqp.uri() != null || amqp.usesTls()) {
        throw new CluWsException(
            "--embedded-broker: the embedded broker speaks plain amqp on --rabbitmq-host and"
                + " --rabbitmq-port; leave out --rabbitmq-url and --rabbitmq-tls");
      }
      return start(amqp);
    }
    if (!demo
        || amqp.uri() != null
        || amqp.usesTls()
        || !EmbeddedBroker.isLoopback(amqp.host())
        || somethingListens(amqp.host(), amqp.port())) {
      return null;
    }
    return start(amqp);
  }

  private static EmbeddedBroker start(AmqpSettings amqp) {
    try {
      return EmbeddedBroker.start(amqp.host(), amqp.port());
    } catch (IllegalArgumentException | EmbeddedBrokerException e) {
      throw new CluWsException("--embedded-broker: " + e.getMessage(), e);
    }
  }

  /** Whether anything accepts a TCP connection at {@code host:port} (any of its addresses). */
  static boolean somethingListens(String host, int port) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return false;
    }
    for (InetAddress address : addresses) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(address, port), PROBE_MILLIS);
        // A probe of a port in the ephemeral range can be connected to itself (TCP self-connect,
        // when the kernel gives it that very port): nobody listens then.
        if (socket.getLocalPort() != port || !socket.getLocalAddress().equals(address)) {
          return true;
        }
      } catch (IOException e) {
        // nothing there: try the next address
      }
    }
    return false;
  }
}
