package dev.cluws.cli;

import dev.cluws.testkit.ServerFrame;
import dev.cluws.testkit.WsClient;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal websocket client over a socket the test controls, for what well-behaved clients cannot
 * do: text frames whose payload is not valid UTF-8, or connecting from a chosen local address.
 */
final class RawWebSocket implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final String upgradeResponse;

  RawWebSocket(int port) throws IOException {
    this(new Socket(InetAddress.getLoopbackAddress(), port), "/");
  }

  /**
   * Upgrades on a connected socket (plain or TLS) at {@code path}, with extra header lines.
   *
   * @throws IOException when the server answers anything but 101
   */
  RawWebSocket(Socket connected, String path, String... extraHeaders) throws IOException {
    socket = connected;
    socket.setSoTimeout((int) WsClient.WAIT.toMillis());
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    StringBuilder request =
        new StringBuilder("GET ")
            .append(path)
            .append(
                " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n");
    for (String header : extraHeaders) {
      request.append(header).append("\r\n");
    }
    out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) in.readUnsignedByte());
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new IOException("upgrade refused: " + head);
    }
    upgradeResponse = head.toString();
  }

  /** The server's 101 response: status line and headers. */
  String upgradeResponse() {
    return upgradeResponse;
  }

  /** Sends one masked frame with the given opcode (1 = text) and raw payload. */
  void send(int opcode, byte[] payload) throws IOException {
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    out.write(0x80 | opcode);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else {
      out.write(0x80 | 126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xff);
    }
    out.write(mask);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    out.write(masked);
    out.flush();
  }

  /** Sends one text frame. */
  void sendText(String text) throws IOException {
    send(1, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads frames until a text frame containing {@code part} arrives; returns it. */
  String awaitText(String part) throws IOException {
    for (int frames = 0; frames < 10_000; frames++) {
      ServerFrame frame = ServerFrame.read(in);
      if (frame.opcode() == ServerFrame.CLOSE) {
        throw new IOException("closed while waiting for a frame with " + part);
      }
      if (frame.opcode() == ServerFrame.TEXT && frame.text().contains(part)) {
        return frame.text();
      }
    }
    throw new IOException("no frame with " + part);
  }

  /** Reads frames until a close frame arrives; returns its status code. */
  int awaitCloseCode() throws IOException {
    for (int frames = 0; frames < 10_000; frames++) {
      ServerFrame frame = ServerFrame.read(in);
      if (frame.opcode() == ServerFrame.CLOSE) {
        return frame.closeCode();
      }
    }
    throw new IOException("no close frame");
  }

  /**
   * Reads frames until a close frame arrives (at most {@code maxFrames}), adding every text frame
   * to {@code texts}; returns the close frame as {@code "<code> <reason>"}.
   */
  String readUntilClose(java.util.List<String> texts, int maxFrames) throws IOException {
    for (int frames = 0; frames < maxFrames; frames++) {
      ServerFrame frame = ServerFrame.read(in);
      if (frame.opcode() == ServerFrame.CLOSE) {
        return frame.closeCode() + " " + frame.closeReason();
      }
      if (frame.opcode() == ServerFrame.TEXT) {
        texts.add(frame.text());
      }
    }
    throw new IOException("no close frame within " + maxFrames + " frames");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
