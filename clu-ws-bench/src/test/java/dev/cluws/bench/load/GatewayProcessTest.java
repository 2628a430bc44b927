package dev.cluws.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GatewayProcessTest {

  @Test
  void aPortSomeoneListensOnSilentlyIsNotTakenForAStartedGateway() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      // Connections complete in the backlog; nobody ever answers them.
      assertThat(GatewayProcess.answersHttp(silent.getLocalPort())).isFalse();
    }
  }

  @Test
  void aPortNobodyListensOnIsNotTakenForAStartedGateway() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }

    assertThat(GatewayProcess.answersHttp(port)).isFalse();
  }

  @Test
  void aPortAnHttpServerAnswersOnIsTakenForAStartedGateway() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread answerer =
          new Thread(
              () -> {
                try (Socket client = server.accept()) {
                  client.setSoTimeout(5_000);
                  InputStream in = client.getInputStream();
                  in.readNBytes(4); // "GET "
                  OutputStream out = client.getOutputStream();
                  out.write(
                      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                } catch (IOException e) {
                  // the assertion below fails
                }
              },
              "http-answerer");
      answerer.start();

      assertThat(GatewayProcess.answersHttp(server.getLocalPort())).isTrue();
      answerer.join(5_000);
    }
  }
}
