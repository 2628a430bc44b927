package dev.cluws.cli;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that reset their TCP connection at every point of the connect sequence, with every
 * connect-time feature, leave no ghost behind: the registry, the connection permits and the {@code
 * clients} gauge all come back to the true count, later clients still connect, and the limit of
 * {@code --max-connections} is never exceeded. Real gateway, real RabbitMQ, raw sockets reset with
 * {@code SO_LINGER 0}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GhostClientsIT {
  private static final int LIMIT = 20;
  private static final int ROUNDS = 10;
  private static final List<String> QUERIES =
      List.of("/?since=0", "/?snapshot=true", "/?exmaple=1", "/", "/?since=0&snapshot=true");

  /** Where in the connect sequence the client resets its connection. */
  private enum ResetPoint {
    BEFORE_THE_UPGRADE_RESPONSE,
    RIGHT_AFTER_THE_101,
    AFTER_THE_FIRST_FRAME
  }

  private final GatewayFixture fixture =
      GatewayFixture.builder().gatewaySettings(b -> b.maxConnections(LIMIT)).start();

  /** Resets after a 101, and upgrades refused (503) because the limit was reached. */
  private final AtomicInteger upgraded = new AtomicInteger();

  private final AtomicInteger refusals = new AtomicInteger();

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  private int registered() {
    return fixture.gateway().clientCount();
  }

  private int permits() {
    return fixture.gateway().admission().inUse();
  }

  private double gauge() {
    return PrometheusText.scrape(fixture.server().port()).value("cluws_clients_connected");
  }

  /** Opens a websocket upgrade on a raw socket and resets the connection at {@code point}. */
  private void connectAndReset(String path, ResetPoint point) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), fixture.server().port());
    try {
      socket.setSoLinger(true, 0); // close() sends RST
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + "Sec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(US_ASCII));
      out.flush();
      if (point == ResetPoint.BEFORE_THE_UPGRADE_RESPONSE) {
        return;
      }
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        head.append((char) b);
      }
      if (!head.toString().startsWith("HTTP/1.1 101")) {
        assertThat(head.toString()).startsWith("HTTP/1.1 503");
        refusals.incrementAndGet();
        return;
      }
      upgraded.incrementAndGet();
      if (point == ResetPoint.AFTER_THE_FIRST_FRAME && !path.equals("/")) {
        in.read(); // the first byte of the first frame: these paths always get one at connect
      }
    } catch (SocketException e) {
      // the server reset first: as good a reset as ours
    } finally {
      socket.close();
    }
  }

  @Test
  void clientsResetAtEveryPointOfTheConnectSequenceLeaveNoGhostAndTheLimitHolds() throws Exception {
    CluTestActor actor = fixture.actor();
    WsClient observer = fixture.client();
    await().until(() -> registered() == 1);
    for (int i = 0; i < 20; i++) {
      actor.broadcast(Map.of("count", i));
    }
    observer.awaitFrame(f -> f.path("body").path("count").asInt() == 19); // the ring holds them
    List<WsClient> steady = new ArrayList<>(List.of(observer));
    for (int i = 0; i < 4; i++) {
      steady.add(fixture.client(fixture.uri("/?since=0&snapshot=true")));
    }
    await().until(() -> registered() == 5);

    AtomicBoolean watching = new AtomicBoolean(true);
    AtomicInteger mostRegistered = new AtomicInteger();
    AtomicInteger mostPermits = new AtomicInteger();
    Thread watcher =
        new Thread(
            () -> {
              while (watching.get()) {
                mostRegistered.accumulateAndGet(registered(), Math::max);
                mostPermits.accumulateAndGet(permits(), Math::max);
                Thread.onSpinWait();
              }
            });
    watcher.setDaemon(true);
    watcher.start();

    int resets = 0;
    for (int round = 0; round < ROUNDS; round++) {
      for (String path : QUERIES) {
        for (ResetPoint point : ResetPoint.values()) {
          // Resets are noticed a moment later: leave the gateway room for this one.
          await().atMost(Duration.ofSeconds(30)).until(() -> permits() < LIMIT);
          connectAndReset(path, point);
          resets++;
          if (round % 3 == 0) {
            actor.broadcast(Map.of("during", resets)); // live traffic meets half-open clients
          }
        }
      }
    }
    assertThat(resets).isGreaterThanOrEqualTo(100);
    assertThat(upgraded.get()).as("resets after the 101 (refused: %s)", refusals).isGreaterThan(50);

    // An upgrade reset before its response is never reported: its permit is taken back (10 s).
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(registered()).as("registered clients").isEqualTo(5);
              assertThat(permits()).as("connection permits").isEqualTo(5);
              assertThat(gauge()).as("clients gauge").isEqualTo(5);
            });

    // Later clients connect, up to the limit exactly, and the next one is refused with 503.
    List<WsClient> more = new ArrayList<>();
    for (int i = 5; i < LIMIT; i++) {
      more.add(fixture.client(fixture.uri("/?since=0")));
    }
    await().until(() -> registered() == LIMIT);
    assertThat(permits()).isEqualTo(LIMIT);
    Socket refused = new Socket(InetAddress.getLoopbackAddress(), fixture.server().port());
    try (refused) {
      refused.setSoTimeout(10_000);
      refused
          .getOutputStream()
          .write(
              ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      + "Sec-WebSocket-Version: 13\r\n\r\n")
                  .getBytes(US_ASCII));
      byte[] status = refused.getInputStream().readNBytes(12);
      assertThat(new String(status, US_ASCII)).isEqualTo("HTTP/1.1 503");
    }
    watching.set(false);
    watcher.join();
    assertThat(mostRegistered.get())
        .as("most clients registered at once")
        .isLessThanOrEqualTo(LIMIT);
    assertThat(mostPermits.get()).as("most permits out at once").isLessThanOrEqualTo(LIMIT);
    for (WsClient client : more) {
      client.close();
    }
    await().until(() -> registered() == 5 && permits() == 5);
  }
}
