package dev.cluws.jetty.internal;

import dev.cluws.core.log.LogText;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;

/**
 * The client's address as logs and the audit log show it: {@code 10.1.2.3:51422}, {@code
 * [::1]:51422}, or the address alone when the port is unknown. It is read from the request, so with
 * {@link org.eclipse.jetty.server.ForwardedRequestCustomizer} on (a trusted reverse proxy) it is
 * the address the proxy names in {@code Forwarded} / {@code X-Forwarded-For}, not the proxy's. When
 * the proxy names no port (nginx's {@code X-Forwarded-For $remote_addr}), only the address is
 * shown: Jetty fills in the port of the proxy's own connection, which says nothing about the
 * client.
 */
public final class RemoteAddress {
  private RemoteAddress() {}

  /** The remote address of a request (of an upgrade or a plain HTTP request). */
  public static String of(Request request) {
    ConnectionMetaData meta = request.getConnectionMetaData();
    SocketAddress remote = meta.getRemoteSocketAddress();
    SocketAddress peer = tcpPeer(meta);
    if (remote instanceof InetSocketAddress client
        && peer instanceof InetSocketAddress proxy
        && client.getPort() == proxy.getPort()
        && !client.getHostString().equals(proxy.getHostString())
        && !sameIp(client, proxy)) {
      // The proxy's header text, which Jetty does not require to be an address: escaped.
      return LogText.of(describe(InetSocketAddress.createUnresolved(host(client), 0)));
    }
    return LogText.of(describe(remote));
  }

  private static SocketAddress tcpPeer(ConnectionMetaData meta) {
    Connection connection = meta.getConnection();
    return connection == null ? null : connection.getEndPoint().getRemoteSocketAddress();
  }

  private static boolean sameIp(InetSocketAddress a, InetSocketAddress b) {
    return a.getAddress() != null && a.getAddress().equals(b.getAddress());
  }

  private static String host(InetSocketAddress inet) {
    InetAddress ip = inet.getAddress();
    return ip != null ? ip.getHostAddress() : inet.getHostString();
  }

  /** {@code host:port}, IPv6 in brackets, without {@code :0}. */
  static String describe(SocketAddress address) {
    if (address instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) address;
      String host = host(inet);
      if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
        host = "[" + host + "]";
      }
      return inet.getPort() > 0 ? host + ":" + inet.getPort() : host;
    }
    return String.valueOf(address);
  }
}
