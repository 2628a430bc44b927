package dev.cluws.core.reply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.TestReplies;
import dev.cluws.core.reply.StateStore.ActorSnapshot;
import dev.cluws.core.spi.Glob;
import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateStoreTest {
  private static final String GATEWAY = "clu-ws-test";
  private static final Instant NOW = Instant.parse("2026-11-24T02:00:00Z");

  private final StateStore store = new StateStore(100, 100, 1_000_000, GATEWAY);

  private static Reply reply(String sender, String body) {
    return TestReplies.reply(sender, "i", null, body);
  }

  private static Reply reply(String sender, String body, Instant timestamp) {
    Reply r = reply(sender, body);
    return new Reply(
        r.headers(), r.exchange(), r.routingKey(), r.messageId(), null, timestamp, r.body());
  }

  private Map<String, String> bodies(List<ActorSnapshot> snapshot) {
    Map<String, String> result = new LinkedHashMap<>();
    for (ActorSnapshot actor : snapshot) {
      result.put(actor.actor(), actor.body().toString());
    }
    return result;
  }

  private Map<String, String> all() {
    return bodies(store.snapshot(List.of()));
  }

  // --- what the snapshot holds

  @Test
  void theSnapshotHoldsTheLatestValueOfEveryKeywordOfAnActor() {
    store.update(reply("lvmecp", "{\"dome_status\": \"0x10\", \"text\": \"a\"}"), () -> NOW);
    store.update(reply("lvmecp", "{\"dome_status\": \"0x20\"}"), () -> NOW);
    store.update(reply("lvmecp", "{\"lights\": [1, 2]}"), () -> NOW);

    assertThat(all())
        .containsExactly(
            Map.entry("lvmecp", "{\"dome_status\":\"0x20\",\"text\":\"a\",\"lights\":[1,2]}"));
  }

  @Test
  void keywordsOfBodiesKeptAsJsonTextAreInTheSnapshotLikeThoseOfParsedBodies() {
    Reply first = reply("lvmecp", "{}");
    store.update(
        Reply.ofJson(
            first.headers(),
            first.exchange(),
            first.routingKey(),
            "m1",
            null,
            null,
            "{\"dome_status\": \"0x10\", \"pos\": {\"ra\": 1.5, \"dec\": [1, 2]}, \"text\": \"a, b\"}"
                .getBytes(StandardCharsets.UTF_8)),
        () -> NOW);
    store.update(reply("lvmecp", "{\"dome_status\": \"0x20\"}"), () -> NOW);
    store.update(
        Reply.ofJson(
            first.headers(),
            first.exchange(),
            first.routingKey(),
            "m3",
            null,
            null,
            "[1, 2]".getBytes(StandardCharsets.UTF_8)),
        () -> NOW);

    assertThat(all())
        .containsExactly(
            Map.entry(
                "lvmecp",
                "{\"dome_status\":\"0x20\",\"pos\":{\"ra\":1.5,\"dec\":[1,2]},\"text\":\"a, b\"}"));
  }

  @Test
  void theSnapshotHasOneBodyPerActorSortedByName() {
    store.update(reply("lvmnps", "{\"a\": 1}"), () -> NOW);
    store.update(reply("jaeger", "{\"b\": 2}"), () -> NOW);
    store.update(reply("lvmecp", "{\"c\": 3}"), () -> NOW);

    assertThat(all().keySet()).containsExactly("jaeger", "lvmecp", "lvmnps");
  }

  @Test
  void theSnapshotCarriesTheNewestTimestampOfAnActorsValues() {
    Instant early = Instant.parse("2026-11-24T01:00:00Z");
    Instant late = Instant.parse("2026-11-24T01:05:00Z");
    store.update(reply("lvmecp", "{\"a\": 1}", late), () -> NOW);
    store.update(reply("lvmecp", "{\"b\": 2}", early), () -> NOW);

    assertThat(store.snapshot(List.of()).get(0).newest()).isEqualTo(late);
  }

  @Test
  void aReplyWithoutTimestampCountsAsReceivedNow() {
    store.update(reply("lvmecp", "{\"a\": 1}", null), () -> NOW);

    assertThat(store.snapshot(List.of()).get(0).newest()).isEqualTo(NOW);
  }

  @Test
  void patternsLimitTheSnapshotToTheActorsTheyMatch() {
    store.update(reply("lvmecp", "{\"a\": 1}"), () -> NOW);
    store.update(reply("lvmnps", "{\"a\": 1}"), () -> NOW);
    store.update(reply("jaeger", "{\"a\": 1}"), () -> NOW);
    store.update(reply("fliswarm", "{\"a\": 1}"), () -> NOW);

    List<ActorSnapshot> snapshot = store.snapshot(List.of(new Glob("lvm*"), new Glob("jaeger")));

    assertThat(bodies(snapshot).keySet()).containsExactly("jaeger", "lvmecp", "lvmnps");
  }

  @Test
  void aPatternThatMatchesNoActorGivesAnEmptySnapshot() {
    store.update(reply("lvmecp", "{\"a\": 1}"), () -> NOW);

    assertThat(store.snapshot(List.of(new Glob("nobody")))).isEmpty();
  }

  @Test
  void framesOfTheGatewayItselfAreNotState() {
    store.update(reply(GATEWAY, "{\"broker\": \"connected\"}"), () -> NOW);

    assertThat(all()).isEmpty();
  }

  @Test
  void snapshotFramesAreNotStateAgain() {
    Map<String, Object> headers = new LinkedHashMap<>(reply("lvmecp", "{}").headers());
    headers.put(Reply.SNAPSHOT, true);
    store.update(
        new Reply(
            headers, "", "", "id", null, NOW, TestReplies.json("{\"old\": 1}"), Origin.SNAPSHOT),
        () -> NOW);

    assertThat(all()).isEmpty();
  }

  @Test
  void repliesWithoutSenderOrWithoutKeywordsAreNotState() {
    Map<String, Object> noSender = new LinkedHashMap<>(reply("lvmecp", "{}").headers());
    noSender.remove(Reply.SENDER);
    store.update(
        new Reply(noSender, "x", "reply.x", "id", null, NOW, TestReplies.json("{\"a\": 1}")),
        () -> NOW);
    store.update(reply("lvmecp", "{}"), () -> NOW);
    store.update(reply("lvmnps", "[1, 2]"), () -> NOW);
    store.update(reply("jaeger", "\"text\""), () -> NOW);

    assertThat(all()).isEmpty();
    assertThat(store.bytes()).isZero();
  }

  @Test
  void aStoreWithoutActorsKeepsNothing() {
    StateStore off = new StateStore(0, 1, 1, GATEWAY);

    off.update(reply("lvmecp", "{\"a\": 1}"), () -> NOW);

    assertThat(off.enabled()).isFalse();
    assertThat(off.snapshot(List.of())).isEmpty();
  }

  // --- bounds

  @Test
  void beyondItsActorsTheStoreEvictsTheActorUpdatedLeastRecentlyAndCountsIt() {
    StateStore small = new StateStore(2, 100, 1_000_000, GATEWAY);
    small.update(reply("a", "{\"k1\": 1, \"k2\": 2}"), () -> NOW);
    small.update(reply("b", "{\"k1\": 1}"), () -> NOW);
    small.update(reply("a", "{\"k1\": 3}"), () -> NOW); // a is now the most recent

    small.update(reply("c", "{\"k1\": 1}"), () -> NOW);

    assertThat(bodies(small.snapshot(List.of())).keySet()).containsExactly("a", "c");
    assertThat(small.actorCount()).isEqualTo(2);
    assertThat(small.actorsEvicted.sum()).isEqualTo(1);
    assertThat(small.keywordsEvicted.sum()).isEqualTo(1); // b's one keyword went with it
  }

  @Test
  void beyondItsKeywordsAnActorLosesTheKeywordFirstSeenAndItIsCounted() {
    StateStore small = new StateStore(10, 2, 1_000_000, GATEWAY);
    small.update(reply("a", "{\"k1\": 1, \"k2\": 2}"), () -> NOW);
    small.update(reply("a", "{\"k1\": 10}"), () -> NOW); // an update does not make k1 newer

    small.update(reply("a", "{\"k3\": 3}"), () -> NOW);

    assertThat(bodies(small.snapshot(List.of())))
        .containsExactly(Map.entry("a", "{\"k2\":2,\"k3\":3}"));
    assertThat(small.keywordsEvicted.sum()).isEqualTo(1);
    assertThat(small.actorsEvicted.sum()).isZero();
  }

  // --- repair after lost replies

  @Test
  void aRepairTakesTheHistorysValuesExceptThoseSetByRepliesReceivedSinceTheLoss() {
    store.update(reply("a", "{\"temp\": 1, \"mode\": \"idle\", \"lamp\": \"off\"}"), () -> NOW, 1);
    store.update(reply("b", "{\"x\": 1}"), () -> NOW, 2);
    // Received after the loss (reply 3 on): newer than anything the history read.
    store.update(reply("a", "{\"mode\": \"moving\"}"), () -> NOW, 3);
    StateStore history = store.emptyLike();
    history.update(reply("a", "{\"temp\": 1, \"mode\": \"idle\", \"lamp\": \"off\"}"), () -> NOW);
    history.update(reply("a", "{\"temp\": 2, \"mode\": \"slewing\"}"), () -> NOW); // lost
    history.update(reply("c", "{\"y\": 5}"), () -> NOW); // lost: an actor not seen yet
    history.update(reply("a", "{\"mode\": \"moving\"}"), () -> NOW);

    int changed = store.repair(history, 2);

    assertThat(all())
        .containsExactly(
            Map.entry("a", "{\"temp\":2,\"mode\":\"moving\",\"lamp\":\"off\"}"),
            Map.entry("b", "{\"x\":1}"),
            Map.entry("c", "{\"y\":5}"));
    assertThat(changed).isEqualTo(2); // a's temp and c's y
  }

  @Test
  void aRepairedValueCanBeRepairedAgainAfterALaterLoss() {
    store.update(reply("a", "{\"temp\": 1}"), () -> NOW, 1);
    StateStore first = store.emptyLike();
    first.update(reply("a", "{\"temp\": 2}"), () -> NOW);
    store.repair(first, 1);
    StateStore second = store.emptyLike();
    second.update(reply("a", "{\"temp\": 3}"), () -> NOW);

    store.repair(second, 1);

    assertThat(all()).containsExactly(Map.entry("a", "{\"temp\":3}"));
  }

  @Test
  void aRepairKeepsTheStoresBounds() {
    long oneActor = sizeOfOneActor("{\"k\": \"0123456789\"}");
    StateStore small = new StateStore(100, 100, 2 * oneActor, GATEWAY);
    small.update(reply("a", "{\"k\": \"0123456789\"}"), () -> NOW, 1);
    StateStore history = small.emptyLike();
    history.update(reply("b", "{\"k\": \"0123456789\"}"), () -> NOW);
    history.update(reply("c", "{\"k\": \"0123456789\"}"), () -> NOW);

    small.repair(history, 1);

    assertThat(small.bytes()).isEqualTo(2 * oneActor);
    assertThat(small.actorCount()).isEqualTo(2);
    assertThat(small.actorsEvicted.sum()).isEqualTo(1);
  }

  @Test
  void theBytesCountEveryKeptValueOnceAndAnUpdateReplacesItsValuesSize() {
    store.update(reply("a", "{\"k\": \"12345\"}"), () -> NOW);
    long once = store.bytes();

    store.update(reply("a", "{\"k\": \"54321\"}"), () -> NOW);
    assertThat(store.bytes()).isEqualTo(once);

    store.update(reply("a", "{\"k\": \"1234567890\"}"), () -> NOW);
    assertThat(store.bytes()).isEqualTo(once + 2 * 5);
  }

  @Test
  void beyondItsBytesTheStoreEvictsTheActorsUpdatedLeastRecently() {
    long oneActor = sizeOfOneActor("{\"k\": \"0123456789\"}");
    StateStore small = new StateStore(100, 100, 2 * oneActor, GATEWAY);
    small.update(reply("a", "{\"k\": \"0123456789\"}"), () -> NOW);
    small.update(reply("b", "{\"k\": \"0123456789\"}"), () -> NOW);
    assertThat(small.actorCount()).isEqualTo(2);

    small.update(reply("c", "{\"k\": \"0123456789\"}"), () -> NOW);

    assertThat(bodies(small.snapshot(List.of())).keySet()).containsExactly("b", "c");
    assertThat(small.bytes()).isEqualTo(2 * oneActor);
    assertThat(small.actorsEvicted.sum()).isEqualTo(1);
    assertThat(small.keywordsEvicted.sum()).isEqualTo(1);
  }

  @Test
  void anActorLargerThanTheWholeBudgetIsNotKeptAtAll() {
    StateStore small = new StateStore(100, 100, 100, GATEWAY);
    small.update(reply("small", "{\"k\": 1}"), () -> NOW);

    small.update(reply("huge", "{\"k\": \"" + "x".repeat(500) + "\"}"), () -> NOW);

    assertThat(small.snapshot(List.of())).isEmpty();
    assertThat(small.bytes()).isZero();
    assertThat(small.actorsEvicted.sum()).isEqualTo(2);
  }

  @Test
  void theBytesNeverExceedTheBoundWhateverArrives() {
    StateStore small = new StateStore(50, 5, 4_000, GATEWAY);
    for (int i = 0; i < 500; i++) {
      small.update(
          reply(
              "actor" + (i % 70),
              "{\"k" + (i % 9) + "\": \"" + "v".repeat(i % 40) + "\", \"n\": " + i + "}"),
          () -> NOW);
      assertThat(small.bytes()).isLessThanOrEqualTo(4_000);
      assertThat(small.actorCount()).isLessThanOrEqualTo(50);
    }
    long kept = 0;
    for (ActorSnapshot actor : small.snapshot(List.of())) {
      assertThat(actor.body().size()).isLessThanOrEqualTo(5);
      kept += actor.body().size();
    }
    assertThat(kept).isPositive();
  }

  private static long sizeOfOneActor(String body) {
    StateStore probe = new StateStore(1, 100, Long.MAX_VALUE, GATEWAY);
    probe.update(reply("x", body), () -> NOW);
    return probe.bytes();
  }
}
