package dev.cluws.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Ports on the loopback interface, for tests that start servers of their own. */
public final class LoopbackPorts {
  private static final int PROBE_MILLIS = 1000;

  private LoopbackPorts() {}

  /** A port nothing listens on now (the system's choice; another program may take it later). */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on the loopback interface", e);
    }
  }

  /**
   * Whether something accepts connections on this loopback port. A probe of a port nobody listens
   * on can be connected to itself (TCP self-connect, when the system gives the probe that very
   * port, as {@link #free} ports are of that range): that is not taken for a listener.
   */
  public static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), PROBE_MILLIS);
      return socket.getLocalPort() != port;
    } catch (IOException e) {
      return false;
    }
  }
}
