package dev.cluws.core.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.ControllableSink;
import dev.cluws.core.Gateway;
import dev.cluws.core.InMemorySource;
import dev.cluws.core.ProviderCatalog;
import dev.cluws.core.RecordingTransport;
import dev.cluws.core.TestReplies;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SourceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HubTest {
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final InMemorySource source = new InMemorySource(events);
  private final ControllableSink sink = new ControllableSink(events);
  private Gateway gateway;

  private static final ReplyFilterProvider NEUTRAL =
      TestReplies.provider("neutral", c -> ReplyFilter.denyUnless(r -> true));
  private static final ReplyFilterProvider ACCEPT =
      TestReplies.provider("accept", c -> ReplyFilter.accept(r -> true));
  private static final ReplyFilterProvider DENY_ALL =
      TestReplies.provider("deny", c -> ReplyFilter.deny(r -> true));
  private static final ReplyFilterProvider THROWING =
      TestReplies.provider(
          "throwing",
          c ->
              ReplyFilter.deny(
                  r -> {
                    throw new IllegalStateException("filter bug");
                  }));
  private static final ReplyFilterProvider REWRITE =
      TestReplies.provider(
          "rewrite",
          c ->
              new ReplyFilter() {
                @Override
                public Reply map(Reply reply) {
                  ObjectNode body = reply.body().deepCopy();
                  body.put("rewritten", true);
                  return reply.withBody(body);
                }
              });

  @BeforeEach
  void startGateway() {
    gateway =
        Gateway.builder()
            .sendExecutor(Outbox.DIRECT)
            .name("clu-ws-test")
            .source(source)
            .sink(sink)
            .filterProviders(
                ProviderCatalog.of(
                    ReplyFilterProvider.class,
                    ReplyFilterProvider::name,
                    List.of(NEUTRAL, ACCEPT, DENY_ALL, THROWING, REWRITE)))
            .build();
    gateway.start();
  }

  @AfterEach
  void closeGateway() {
    gateway.close();
  }

  /** Connects a client that selects the named filters (none: CLU's behaviour). */
  private RecordingTransport connect(String... filters) {
    RecordingTransport transport = RecordingTransport.completingInline();
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (String filter : filters) {
      query.put(filter, List.of("on"));
    }
    gateway.connect(gateway.subscribe(query), transport);
    return transport;
  }

  @Test
  void aReplyReachesEveryClient() {
    List<RecordingTransport> clients = List.of(connect(), connect(), connect());
    Reply reply = TestReplies.reply("lvmecp");

    source.push(reply);

    String expected = gateway.codec().encode(reply, 1).text();
    for (RecordingTransport client : clients) {
      assertThat(client.frames())
          .singleElement()
          .extracting(EncodedFrame::text)
          .isEqualTo(expected);
    }
  }

  @Test
  void theSameFrameInstanceIsOfferedToEveryClientWhoseChainDoesNotRewrite() {
    RecordingTransport plain = connect();
    RecordingTransport neutral = connect("neutral");
    RecordingTransport accepting = connect("accept");

    source.push(TestReplies.reply("lvmecp"));

    EncodedFrame shared = plain.frames().get(0);
    assertThat(neutral.frames()).singleElement().isSameAs(shared);
    assertThat(accepting.frames()).singleElement().isSameAs(shared);
  }

  @Test
  void aDeniedReplyIsNotDeliveredToThatClient() {
    RecordingTransport denying = connect("deny");
    RecordingTransport plain = connect();

    source.push(TestReplies.reply("lvmecp"));

    assertThat(denying.frames()).isEmpty();
    assertThat(plain.frames()).hasSize(1);
  }

  @Test
  void aClientWhoseFilterRewritesGetsItsOwnFrame() {
    RecordingTransport plain = connect();
    RecordingTransport rewriting = connect("rewrite");

    source.push(TestReplies.reply("lvmecp"));

    EncodedFrame original = plain.frames().get(0);
    EncodedFrame rewritten = rewriting.frames().get(0);
    assertThat(rewritten).isNotSameAs(original);
    assertThat(rewritten.sequence()).isEqualTo(original.sequence());
    assertThat(rewriting.json().get(0).get("body").get("rewritten").booleanValue()).isTrue();
    assertThat(plain.json().get(0).get("body").has("rewritten")).isFalse();
  }

  @Test
  void aFilterThatThrowsDeniesOnlyForItsClientAndTellsItWithAnErrorFrame() {
    RecordingTransport broken = connect("throwing");
    RecordingTransport plain = connect();

    source.push(TestReplies.reply("lvmecp"));

    assertThat(broken.json()).hasSize(1);
    assertThat(broken.json().get(0).get("headers").get("message_code").asText()).isEqualTo("e");
    assertThat(broken.json().get(0).get("body").get("error").asText())
        .startsWith("filter 'throwing' failed on a reply from lvmecp; the reply was not delivered");
    assertThat(plain.frames()).hasSize(1);
    assertThat(gateway.stats().filterErrors.sum()).isEqualTo(1);
  }

  @Test
  void aClientWithAFilterThatThrowsStillReceivesErrorFramesMeantForIt() {
    RecordingTransport broken = connect("throwing");
    ClientConnection client = gateway.hub().clients().get(0);

    client.onText("not json");

    assertThat(broken.json()).hasSize(1);
    assertThat(broken.json().get(0).get("body").get("error").asText()).contains("not valid JSON");
  }

  @Test
  void aClosedClientNoLongerReceivesReplies() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = gateway.connect(gateway.subscribe(Map.of()), transport);

    client.close();
    source.push(TestReplies.reply("lvmecp"));

    assertThat(transport.frames()).isEmpty();
    assertThat(gateway.hub().clients()).doesNotContain(client);
  }

  @Test
  void aClientClosedWithACodeIsClosedOnTheTransportAndRemoved() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = gateway.connect(gateway.subscribe(Map.of()), transport);

    client.close(1008, "policy violation");

    assertThat(transport.closes()).containsExactly("1008 policy violation");
    assertThat(client.isClosed()).isTrue();
    assertThat(gateway.hub().clientCount()).isZero();
  }

  @Test
  void closingAClientTwiceIsHarmless() {
    ClientConnection client =
        gateway.connect(gateway.subscribe(Map.of()), RecordingTransport.completingInline());
    ClientConnection other =
        gateway.connect(gateway.subscribe(Map.of()), RecordingTransport.completingInline());

    client.close();
    client.close();

    assertThat(gateway.hub().clients()).containsExactly(other);
  }

  @Test
  void theRegistryIsEmptyAfterManyConnectCloseCycles() {
    for (int i = 0; i < 10_000; i++) {
      ClientConnection client =
          gateway.connect(gateway.subscribe(Map.of()), RecordingTransport.completingInline());
      if (i % 2 == 0) {
        client.close();
      } else {
        client.close(1001, "going away");
      }
    }

    assertThat(gateway.hub().clientCount()).isZero();
    assertThat(gateway.hub().clients()).isEmpty();
  }

  @Test
  void theRegistryIsEmptyAfterConnectCloseCyclesRacingWithReplies() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(3);
    AtomicBoolean replying = new AtomicBoolean(true);
    try {
      Future<?> replies =
          threads.submit(
              () -> {
                while (replying.get()) {
                  source.push(TestReplies.reply("lvmecp"));
                }
              });
      List<Future<?>> cyclers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        cyclers.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < 2_000; i++) {
                    gateway
                        .connect(gateway.subscribe(Map.of()), RecordingTransport.completingInline())
                        .close();
                  }
                }));
      }
      for (Future<?> cycler : cyclers) {
        cycler.get(30, TimeUnit.SECONDS);
      }
      replying.set(false);
      replies.get(10, TimeUnit.SECONDS);

      assertThat(gateway.hub().clientCount()).isZero();
    } finally {
      replying.set(false);
      threads.shutdownNow();
      assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void repliesAreNumberedWithIncreasingSequenceNumbers() {
    RecordingTransport client = connect();

    source.push(TestReplies.reply("lvmecp"));
    source.push(TestReplies.reply("lvmecp"));
    source.push(TestReplies.reply("lvmecp"));

    assertThat(client.frames()).extracting(EncodedFrame::sequence).containsExactly(1L, 2L, 3L);
    assertThat(gateway.hub().lastSequence()).isEqualTo(3);
  }

  @Test
  void aReplyDeniedToEveryClientStillTakesASequenceNumber() {
    RecordingTransport client = connect("deny");
    RecordingTransport late = RecordingTransport.completingInline();

    source.push(TestReplies.reply("lvmecp"));
    gateway.connect(gateway.subscribe(Map.of()), late);
    source.push(TestReplies.reply("lvmecp"));

    assertThat(client.frames()).isEmpty();
    assertThat(late.frames()).singleElement().extracting(EncodedFrame::sequence).isEqualTo(2L);
  }

  @Test
  void everyReplyIsCountedEvenWithoutClients() {
    source.push(TestReplies.reply("lvmecp"));
    source.push(TestReplies.reply("lvmecp"));

    assertThat(gateway.stats().repliesIn.sum()).isEqualTo(2);
    assertThat(gateway.hub().lastSequence()).isEqualTo(2);
  }

  @Test
  void aClientThatStopsReadingDoesNotHoldUpTheOthers() {
    RecordingTransport stuck = RecordingTransport.completingOnDemand();
    gateway.connect(gateway.subscribe(Map.of()), stuck);
    RecordingTransport reading = connect();

    for (int i = 0; i < 100; i++) {
      source.push(TestReplies.reply("lvmecp"));
    }

    assertThat(reading.frames()).hasSize(100);
    assertThat(stuck.frames()).hasSize(1);
  }

  @Test
  void theSourcesStateReachesTheHub() {
    source.changeState(SourceState.RECOVERING);

    assertThat(gateway.hub().sourceState()).isEqualTo(SourceState.RECOVERING);
  }

  @Test
  void aReplyDeliveredFromAnotherThreadReachesTheClient() {
    RecordingTransport client = connect();

    new Thread(() -> source.push(TestReplies.reply("lvmecp"))).start();

    await().atMost(Duration.ofSeconds(5)).until(() -> client.frames().size() == 1);
    JsonNode body = client.json().get(0).get("body");
    assertThat(body.get("text").textValue()).isEqualTo("Pong.");
  }
}
