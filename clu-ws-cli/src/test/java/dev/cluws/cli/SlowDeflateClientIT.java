package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cluws.jetty.ServerSettings;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A slow client that negotiated permessage-deflate (as every browser does, when the gateway runs
 * with {@code --permessage-deflate}) still gets its 4001 close frame with the resume point when it
 * reads again within the abort grace.
 */
class SlowDeflateClientIT {
  private static final Duration WAIT = WsClient.WAIT;
  private static final Duration FLOOD_WAIT = Duration.ofSeconds(120);
  private GatewayFixture fixture;
  private RawWebSocket frozen;

  @AfterEach
  void tearDown() throws Exception {
    if (frozen != null) {
      frozen.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aCompressingClientThatStopsReadingGetsTheTooSlowCloseFrameWhenItReadsAgain()
      throws Exception {
    int replies = 100;
    fixture =
        GatewayFixture.builder()
            .gatewaySettings(b -> b.outbox(64, 64 * 1024).slowClientTimeout(Duration.ofSeconds(1)))
            .server(
                ServerSettings.defaults()
                    .withHost("127.0.0.1")
                    .withPort(0)
                    .withPermessageDeflate(true))
            .start();
    CluTestActor actor = fixture.actor();
    frozen =
        new RawWebSocket(
            new Socket(InetAddress.getLoopbackAddress(), fixture.server().port()),
            "/?seq=true",
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits");
    assertThat(frozen.upgradeResponse().toLowerCase())
        .contains("sec-websocket-extensions: permessage-deflate");
    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == 1);

    // Random letters: deflate cannot shrink the flood below what the socket buffers hold.
    Random random = new Random(4001);
    for (int i = 0; i < replies; i++) {
      StringBuilder pad = new StringBuilder(200_000);
      for (int c = 0; c < 200_000; c++) {
        pad.append((char) ('a' + random.nextInt(26)));
      }
      actor.broadcast(Map.of("n", i, "pad", pad.toString()));
    }

    await().atMost(FLOOD_WAIT).until(() -> fixture.gateway().stats().slowClientsClosed.sum() == 1);
    List<String> compressed = new ArrayList<>();
    String close = frozen.readUntilClose(compressed, 1_000_000);

    assertThat(compressed).isNotEmpty();
    assertThat(close).matches("4001 too slow; seq=\\d+; message_id=([0-9a-f]+|-)");
  }
}
