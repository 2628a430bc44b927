package dev.cluws.cli;

import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A websocket upgrade request over a plain socket, to read refusals (status and body). */
final class RawHttp {
  private RawHttp() {}

  /** Sends an upgrade request for {@code pathAndQuery} and returns the whole response. */
  static String upgrade(int port, String pathAndQuery, String... extraHeaders) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout((int) WsClient.WAIT.toMillis());
      StringBuilder request =
          new StringBuilder()
              .append("GET ")
              .append(pathAndQuery)
              .append(" HTTP/1.1\r\n")
              .append("Host: 127.0.0.1\r\n")
              .append("Upgrade: websocket\r\n")
              .append("Connection: Upgrade, close\r\n")
              .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
              .append("Sec-WebSocket-Version: 13\r\n");
      for (String header : extraHeaders) {
        request.append(header).append("\r\n");
      }
      request.append("\r\n");
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
