package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Thousands of clients come and go, cleanly or not: none stays registered. */
class ChurnIT {
  private static final int ROUNDS = 20;
  private static final int PER_ROUND = 100;
  private final GatewayFixture fixture = GatewayFixture.start();

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  void thousandsOfConnectsAndDisconnectsLeaveNoClientRegistered() throws Exception {
    CluTestActor actor = fixture.actor();
    WsClient stays = fixture.client();
    HttpClient http = HttpClient.newHttpClient();

    for (int round = 0; round < ROUNDS; round++) {
      List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
      for (int i = 0; i < PER_ROUND; i++) {
        opening.add(
            http.newWebSocketBuilder().buildAsync(fixture.uri(), new WebSocket.Listener() {}));
      }
      List<WebSocket> open = new ArrayList<>();
      for (CompletableFuture<WebSocket> future : opening) {
        open.add(future.get(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS));
      }
      actor.broadcast(Map.of("round", round));
      for (int i = 0; i < open.size(); i++) {
        if (i % 2 == 0) {
          open.get(i).sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        } else {
          open.get(i).abort(); // no close frame, like a crashed tab
        }
      }
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> fixture.gateway().clientCount() == 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> fixture.server().openWebsockets() == 1);
    assertThat(fixture.gateway().stats().clientsConnected.sum()).isEqualTo(ROUNDS * PER_ROUND + 1L);
    await().atMost(WsClient.WAIT).until(() -> stays.frames().size() == ROUNDS);
  }
}
