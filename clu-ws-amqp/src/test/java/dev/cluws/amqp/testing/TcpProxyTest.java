package dev.cluws.amqp.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The proxy the recovery tests rely on, against a plain loopback socket server (no broker): what a
 * stall holds never arrives, even when the connection is cut while it is held.
 */
class TcpProxyTest {

  /** A loopback server that keeps every byte its one client sends. */
  private static final class Sink implements AutoCloseable {
    final ServerSocket server;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final AtomicBoolean ended = new AtomicBoolean();
    final Thread reader;

    Sink() throws IOException {
      server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      reader =
          new Thread(
              () -> {
                try (Socket socket = server.accept();
                    InputStream in = socket.getInputStream()) {
                  byte[] buffer = new byte[1024];
                  int n;
                  while ((n = in.read(buffer)) >= 0) {
                    synchronized (received) {
                      received.write(buffer, 0, n);
                    }
                  }
                } catch (IOException e) {
                  // reset by the proxy: the end of this connection
                } finally {
                  ended.set(true);
                }
              },
              "tcp-proxy-test-sink");
      reader.setDaemon(true);
      reader.start();
    }

    String text() {
      synchronized (received) {
        return received.toString(StandardCharsets.US_ASCII);
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      try {
        reader.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void bytesHeldByAStallNeverArriveWhenTheConnectionIsCut() throws Exception {
    for (int round = 0; round < 20; round++) {
      try (Sink sink = new Sink();
          TcpProxy proxy = TcpProxy.to("127.0.0.1", sink.server.getLocalPort());
          Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
        OutputStream out = client.getOutputStream();
        out.write("before;".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.text().equals("before;"));

        proxy.stall();
        out.write("held;".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        proxy.cut();

        await().atMost(Duration.ofSeconds(5)).until(sink.ended::get);
        assertThat(sink.text()).as("round %d", round).isEqualTo("before;");
      }
    }
  }
}
