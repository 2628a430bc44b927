package dev.cluws.filters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.GatewayStats;
import dev.cluws.core.ProviderCatalog;
import dev.cluws.core.reply.FilterChain;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The built-in filters as a client combines them: found through ServiceLoader, one per parameter,
 * in one chain (parameters combine with AND).
 */
class FilterCombinationsTest {
  private static final ProviderCatalog<ReplyFilterProvider> CATALOG =
      ProviderCatalog.load(
          ReplyFilterProvider.class,
          ReplyFilterProvider::name,
          FilterCombinationsTest.class.getClassLoader());

  private final GatewayStats stats = new GatewayStats();
  private final Map<String, TestContext> parameters = new LinkedHashMap<>();

  @AfterEach
  void noFilterEverFailed() {
    assertThat(stats.filterErrors.sum()).isZero();
  }

  private FilterCombinationsTest with(String name, TestContext context) {
    parameters.put(name, context);
    return this;
  }

  private FilterCombinationsTest with(String name, String... values) {
    return with(name, TestContext.of(values));
  }

  private FilterChain chain() {
    List<ReplyFilter> filters = new ArrayList<>();
    parameters.forEach((name, context) -> filters.add(CATALOG.select(name).create(context)));
    return new FilterChain(filters, stats);
  }

  @Test
  void actorsAndCodesDeliverOnlyTheCompletionsOfTheWantedActors() {
    FilterChain chain = with("actors", "lvm*").with("codes", ":f").chain();

    assertThat(chain.apply(TestReplies.reply("lvmecp").code(":").build())).isNotNull();
    assertThat(chain.apply(TestReplies.reply("lvmecp").code("i").build())).isNull();
    assertThat(chain.apply(TestReplies.reply("jaeger").code(":").build())).isNull();
  }

  @Test
  void ownAndKeywordsDeliverTheClientsOwnRepliesTrimmed() {
    FilterChain chain =
        with("own", TestContext.of("true").withOwnCommands("mine"))
            .with("keywords", "text")
            .chain();

    Reply mine =
        TestReplies.reply("lvmecp").commandId("mine").keywords("text", "Pong.", "x", 1).build();
    Reply delivered = chain.apply(mine);

    assertThat(delivered.body().toString()).isEqualTo("{\"text\":\"Pong.\"}");
    assertThat(chain.apply(TestReplies.reply("lvmecp").commandId("theirs").build())).isNull();
    assertThat(
            chain.apply(
                TestReplies.reply("lvmecp").commandId("mine").keywords("status_word", 42).build()))
        .isNull();
  }

  @Test
  void internalFalseWithOwnDropsTheInternalStartOfTheClientsPing() {
    FilterChain chain =
        with("own", TestContext.of("true").withOwnCommands("ping-1"))
            .with("internal", "false")
            .chain();

    Reply started =
        TestReplies.reply("lvmecp").commandId("ping-1").code(">").internal(true).body("{}").build();
    Reply done = TestReplies.reply("lvmecp").commandId("ping-1").code(":").build();

    assertThat(chain.apply(started)).isNull();
    assertThat(chain.apply(done)).isSameAs(done);
  }

  @Test
  void routingAndActorsMustBothMatch() {
    FilterChain chain = with("routing", "reply.broadcast").with("actors", "lvmecp").chain();

    assertThat(chain.apply(TestReplies.broadcast("lvmecp").build())).isNotNull();
    assertThat(chain.apply(TestReplies.broadcast("jaeger").build())).isNull();
    assertThat(chain.apply(TestReplies.reply("lvmecp").build())).isNull();
  }

  @Test
  void aSnapshotFramePassesCodesOwnAndRoutingButIsFilteredAndTrimmedByActorsAndKeywords() {
    FilterChain chain =
        with("codes", ":f")
            .with("own", TestContext.of("true"))
            .with("routing", "reply.broadcast")
            .with("internal", "false")
            .with("actors", "lvm*")
            .with("keywords", "dome_status")
            .chain();

    Reply wanted = TestReplies.snapshot("lvmecp", "{\"dome_status\": \"0x10\", \"moving\": false}");
    Reply otherActor = TestReplies.snapshot("jaeger", "{\"dome_status\": \"0x10\"}");
    Reply otherKeywords = TestReplies.snapshot("lvmecp", "{\"moving\": false}");

    Reply delivered = chain.apply(wanted);
    assertThat(delivered.body().toString()).isEqualTo("{\"dome_status\":\"0x10\"}");
    assertThat(delivered.snapshot()).isTrue();
    assertThat(chain.apply(otherActor)).isNull();
    assertThat(chain.apply(otherKeywords)).isNull();
  }

  @Test
  void theGatewaysOwnFramesPassEveryFilterUnchanged() {
    FilterChain chain =
        with("actors", "lvmecp")
            .with("codes", ":")
            .with("own", TestContext.of("true"))
            .with("internal", "false")
            .with("keywords", "text")
            .with("routing", "reply.broadcast")
            .chain();
    Reply error = TestReplies.fromGateway("e", "{\"error\": \"bad frame\", \"detail\": 1}");
    Reply claiming = TestReplies.claimingGateway("e", "{\"error\": \"bad frame\", \"detail\": 1}");

    assertThat(chain.apply(error)).isSameAs(error);
    assertThat(chain.apply(claiming)).isNull();
  }

  @Test
  void aReplyEveryFilterWantsIsDeliveredAsTheVerySameInstance() {
    FilterChain chain =
        with("actors", "lvmecp")
            .with("codes", ":")
            .with("own", TestContext.of("true").withOwnCommands("id-1"))
            .with("internal", "false")
            .with("keywords", "text")
            .with("routing", "reply.#")
            .chain();
    Reply reply = TestReplies.from("lvmecp");

    assertThat(chain.apply(reply)).isSameAs(reply);
  }

  @Test
  void twoKeywordFiltersInOneChainTrimToWhatBothWant() {
    // A chain can hold the same provider twice (e.g. a server-side filter and the client's).
    FilterChain chain =
        new FilterChain(
            List.of(
                CATALOG.select("keywords").create(TestContext.of("a", "b")),
                CATALOG.select("keywords").create(TestContext.of("b", "c"))),
            stats);

    Reply reply = TestReplies.reply("lvmecp").keywords("a", 1, "b", 2, "c", 3).build();

    assertThat(chain.apply(reply).body().toString()).isEqualTo("{\"b\":2}");
  }

  @Test
  void noParameterDeliversEveryReplyUnchanged() {
    FilterChain chain = chain();
    Reply reply = TestReplies.reply("jaeger").code("d").internal(true).build();

    assertThat(chain.apply(reply)).isSameAs(reply);
  }
}
