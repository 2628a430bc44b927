package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * No silent loss, with real RabbitMQ and real websockets: a client that reads gets every frame
 * however fast publishers are, a client that cannot keep up is closed with its resume point and
 * resumes, and a {@code policy=latest} client is told what it missed.
 */
class NoSilentLossIT {
  private static final Duration WAIT = WsClient.WAIT;
  private static final Duration FLOOD_WAIT = Duration.ofSeconds(120);
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private GatewayFixture fixture;

  @AfterEach
  void tearDown() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private static List<Integer> ns(List<JsonNode> frames) {
    return frames.stream()
        .filter(f -> f.path("body").has("n"))
        .map(f -> f.path("body").path("n").asInt())
        .toList();
  }

  private static List<Integer> upTo(int count) {
    return IntStream.range(0, count).boxed().toList();
  }

  @Test
  void aReaderBesideANeverReadingClientGetsAllOfAFloodAndTheSlowOneResumesWithSince()
      throws Exception {
    int replies = 30_000;
    fixture =
        GatewayFixture.builder()
            .gatewaySettings(
                b ->
                    b.outbox(2048, 2 * 1024 * 1024)
                        .slowClientTimeout(Duration.ofSeconds(5))
                        .replay(replies, 256L * 1024 * 1024))
            .start();
    CluTestActor actor = fixture.actor();
    // A raw socket that reads nothing until told to: TCP backs up, like a frozen browser tab.
    RawWebSocket frozen =
        new RawWebSocket(
            new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), fixture.server().port()),
            "/?seq=true");
    resources.add(frozen);
    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == 1);
    WsClient reader = fixture.client();
    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == 2);

    String pad = "x".repeat(1000); // about 30 MB: far more than the socket buffers hold
    for (int i = 0; i < replies; i++) {
      actor.broadcast(Map.of("n", i, "pad", pad));
    }

    // The frozen client held everyone back until the slow-client timeout, then was closed.
    await().atMost(FLOOD_WAIT).until(() -> fixture.gateway().stats().slowClientsClosed.sum() == 1);
    List<String> texts = new ArrayList<>();
    String close = frozen.readUntilClose(texts, replies + 1);
    await().atMost(FLOOD_WAIT).until(() -> reader.frames().size() == replies);
    assertThat(ns(reader.frames())).containsExactlyElementsOf(upTo(replies));

    assertThat(close).matches("4001 too slow; seq=\\d+; message_id=[0-9a-f]+");
    long seq = Long.parseLong(close.replaceAll(".*seq=(\\d+);.*", "$1"));
    String messageId = close.replaceAll(".*message_id=", "");
    List<JsonNode> before = new ArrayList<>();
    for (String text : texts) {
      before.add(MAPPER.readTree(text));
    }
    assertThat(before).isNotEmpty();
    assertThat(before.get(before.size() - 1).path("seq").asLong()).isEqualTo(seq);
    assertThat(before.get(before.size() - 1).path("message_id").asText()).isEqualTo(messageId);
    assertThat(ns(before)).containsExactlyElementsOf(upTo(before.size()));
    assertThat(before.size()).isLessThan(replies);

    WsClient resumed = fixture.client(fixture.uri("/?since=" + messageId));
    // The notice follows the replayed frames: tens of thousands of them, slow on a busy machine.
    JsonNode notice = resumed.awaitFrame(f -> f.path("body").has("replay"), FLOOD_WAIT);
    assertThat(notice.path("body").path("replay").asText()).isEqualTo("complete");
    List<Integer> all = new ArrayList<>(ns(before));
    all.addAll(ns(resumed.frames()));
    assertThat(all).containsExactlyElementsOf(upTo(replies));
  }

  @Test
  void threeRepliesLargerThanTheOutboxAmongSmallOnesCostTheReaderNothing() {
    fixture =
        GatewayFixture.builder().gatewaySettings(b -> b.outbox(4096, 4L * 1024 * 1024)).start();
    CluTestActor actor = fixture.actor();
    WsClient reader = fixture.client();
    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == 1);
    String big = "y".repeat(8_000_000);

    for (int i = 0; i < 85; i++) {
      if (i == 10 || i == 40 || i == 70) {
        actor.broadcast(Map.of("n", i, "big", big));
      } else {
        actor.broadcast(Map.of("n", i));
      }
    }

    await().atMost(FLOOD_WAIT).until(() -> reader.frames().size() == 85);
    assertThat(ns(reader.frames())).containsExactlyElementsOf(upTo(85));
    assertThat(reader.frames().get(40).path("body").path("big").asText()).hasSize(8_000_000);
  }

  @Test
  void aLatestClientThatFallsBehindIsToldExactlyHowManyFramesItMissedAndIsNotClosed()
      throws Exception {
    int replies = 5_000;
    fixture =
        GatewayFixture.builder()
            .gatewaySettings(
                b -> b.outbox(256, 256 * 1024).slowClientTimeout(Duration.ofSeconds(2)))
            .start();
    CluTestActor actor = fixture.actor();
    WsClient dashboard = fixture.keep(WsClient.to(fixture.uri("/?policy=latest")).deaf().connect());
    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == 1);
    WsClient reader = fixture.client();
    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == 2);

    String pad = "x".repeat(2000);
    for (int i = 0; i < replies; i++) {
      actor.broadcast(Map.of("n", i, "pad", pad));
    }
    await().atMost(FLOOD_WAIT).until(() -> reader.frames().size() == replies);
    dashboard.startReading();

    // Every reply is either received or counted in a notice; the last notice comes within a second.
    await()
        .atMost(FLOOD_WAIT)
        .until(() -> ns(dashboard.frames()).size() + missed(dashboard.frames()) == replies);
    assertThat(missed(dashboard.frames())).isPositive();
    assertThat(ns(dashboard.frames())).isSorted().doesNotHaveDuplicates();
    JsonNode notice =
        dashboard.frames().stream().filter(f -> f.path("body").has("missed")).findFirst().get();
    assertThat(notice.path("headers").path("message_code").asText()).isEqualTo("w");
    assertThat(notice.path("headers").path("sender").asText()).isEqualTo(fixture.name());
    assertThat(notice.path("body").path("since_seq").asLong()).isNotNegative();
    assertThat(dashboard.isClosed()).isFalse();
    assertThat(fixture.gateway().stats().slowClientsClosed.sum()).isZero();
    assertThat(ns(reader.frames())).containsExactlyElementsOf(upTo(replies));
  }

  private static long missed(List<JsonNode> frames) {
    return frames.stream()
        .filter(f -> f.path("body").has("missed"))
        .mapToLong(f -> f.path("body").path("missed").asLong())
        .sum();
  }
}
