package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.ProviderCatalog;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client joining with a replay of 10,000 replies does not stop the live replies of the others:
 * while its replay is being filtered (a filter plugin holds it on a latch), another client keeps
 * receiving an actor's replies; afterwards the joining client gets its whole replay, then every
 * live reply, in order, each once. Real gateway, real RabbitMQ, real websockets.
 */
class JoinIsolationIT {
  private static final int REPLAYED = 10_000;
  private static final int LIVE = 100;

  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicBoolean armed = new AtomicBoolean(true);
  private final GatewayFixture fixture =
      GatewayFixture.builder()
          .gatewaySettings(b -> b.replay(REPLAYED, 64L << 20))
          .gateway(
              b ->
                  b.filterProviders(
                      ProviderCatalog.of(
                          ReplyFilterProvider.class,
                          ReplyFilterProvider::name,
                          List.of(new BlockingProvider()))))
          .start();

  /** {@code blocking}: accepts every reply; its first call waits for the test (60 s at most). */
  private final class BlockingProvider implements ReplyFilterProvider {
    @Override
    public String name() {
      return "blocking";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return ReplyFilter.accept(
          reply -> {
            if (armed.compareAndSet(true, false)) {
              entered.countDown();
              try {
                release.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return true;
          });
    }
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    fixture.close();
  }

  private static List<Integer> numbers(List<JsonNode> frames) {
    List<Integer> result = new ArrayList<>();
    for (JsonNode frame : frames) {
      if (frame.path("body").has("n")) {
        result.add(frame.path("body").path("n").asInt());
      }
    }
    return result;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> result = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      result.add(n);
    }
    return result;
  }

  @Test
  void whileOneClientsReplayOf10000RepliesIsFilteredAnotherKeepsReceivingLiveReplies()
      throws Exception {
    CluTestActor actor = fixture.actor();
    WsClient observer = fixture.client();
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == 1);
    for (int n = 1; n <= REPLAYED; n++) {
      actor.broadcast(Map.of("n", n));
    }
    observer.awaitFrame(f -> f.path("body").path("n").asInt() == REPLAYED);

    CompletableFuture<WsClient> joining =
        CompletableFuture.supplyAsync(() -> fixture.client(fixture.uri("/?since=0&blocking")));
    assertThat(entered.await(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    for (int n = REPLAYED + 1; n <= REPLAYED + LIVE; n++) {
      actor.broadcast(Map.of("n", n));
    }

    // The hub is not held by the join: the observer gets the live replies meanwhile.
    observer.awaitFrame(f -> f.path("body").path("n").asInt() == REPLAYED + LIVE);
    assertThat(numbers(observer.frames())).isEqualTo(range(1, REPLAYED + LIVE));
    assertThat(entered.getCount()).isZero();
    assertThat(release.getCount()).isEqualTo(1); // the join was still blocked all along
    release.countDown();

    WsClient client = joining.get(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS);
    client.awaitFrame(f -> f.path("body").path("n").asInt() == REPLAYED + LIVE);
    List<JsonNode> frames = client.frames();
    assertThat(numbers(frames)).isEqualTo(range(1, REPLAYED + LIVE));
    JsonNode notice = frames.get(REPLAYED);
    assertThat(notice.path("headers").path("sender").asText()).isEqualTo(fixture.name());
    assertThat(notice.path("body").path("replay").asText()).isEqualTo("complete");
    assertThat(notice.path("body").path("replayed").asInt()).isEqualTo(REPLAYED);
  }
}
