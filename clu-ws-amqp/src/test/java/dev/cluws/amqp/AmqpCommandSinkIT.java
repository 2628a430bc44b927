package dev.cluws.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cluws.amqp.testing.TestAmqp;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.CommandOutcome;
import dev.cluws.core.spi.Reply;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.CluTestActor.ReceivedCommand;
import dev.cluws.testkit.ReplyObserver;
import dev.cluws.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AmqpCommandSinkIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final AmqpSettings settings = TestAmqp.settings();
  private final String gatewayName = TestBroker.uniqueName("gw");
  private final AmqpCommandSink sink = new AmqpCommandSink(settings, gatewayName);
  private CluTestActor actor;
  private ReplyObserver observer;
  private AmqpMessageSource source;

  @AfterEach
  void tearDown() {
    sink.close();
    if (actor != null) {
      actor.close();
    }
    if (observer != null) {
      observer.close();
    }
    if (source != null) {
      source.close();
    }
  }

  @Test
  void aCommandReachesTheActorWithCluHeadersAndProperties() throws Exception {
    actor = CluTestActor.start(settings.exchange(), TestBroker.uniqueName("actor"));
    sink.start();

    CommandOutcome outcome =
        sink.send(new Command(actor.name(), "status", "id-77"))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);

    assertThat(outcome).isEqualTo(CommandOutcome.PUBLISHED);
    await().atMost(WAIT).until(() -> actor.received().size() == 1);
    ReceivedCommand received = actor.received().get(0);
    assertThat(received.routingKey()).isEqualTo("command." + actor.name());
    assertThat(received.body().toString()).isEqualTo("{\"command_string\":\"status\"}");
    assertThat(received.properties().getContentType()).isEqualTo("text/json");
    assertThat(received.properties().getCorrelationId()).isEqualTo("id-77");
    assertThat(received.properties().getReplyTo()).isEqualTo(gatewayName + "_replies");
    assertThat(received.properties().getMessageId()).matches("[0-9a-f]{32}");
    assertThat(String.valueOf(received.header("command_id"))).isEqualTo("id-77");
    assertThat(String.valueOf(received.header("commander_id")))
        .isEqualTo(gatewayName + "." + actor.name());
    assertThat(received.header("internal")).isEqualTo(false);
    assertThat(received.header("write_to_log")).isEqualTo(true);
  }

  @Test
  void aCommandToAnUnknownConsumerIsReturnedAndCluRoutingFailureIsPublished() throws Exception {
    observer = ReplyObserver.start(settings.exchange(), "reply.#");
    sink.start();

    CommandOutcome outcome =
        sink.send(new Command("nobody_here", "ping", "id-404"))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);

    assertThat(outcome).isEqualTo(CommandOutcome.RETURNED);
    await().atMost(WAIT).until(() -> observer.messages().size() == 1);
    ReplyObserver.Message failure = observer.messages().get(0);
    assertThat(failure.routingKey()).isEqualTo("reply." + gatewayName);
    assertThat(failure.header(Reply.MESSAGE_CODE)).isEqualTo("f");
    assertThat(failure.header(Reply.SENDER)).isEqualTo("nobody_here");
    assertThat(failure.header(Reply.COMMAND_ID)).isEqualTo("id-404");
    assertThat(failure.header(Reply.COMMANDER_ID)).isEqualTo(gatewayName + ".nobody_here");
    assertThat(failure.properties().getCorrelationId()).isEqualTo("id-404");
    assertThat(failure.body())
        .isEqualTo("{\"error\":\"Failed routing message to consumer 'nobody_here'.\"}");
  }

  @Test
  void pingThroughTheSinkGetsCluRepliesThroughTheSource() {
    actor = CluTestActor.start(settings.exchange(), TestBroker.uniqueName("actor"));
    RecordingListener listener = new RecordingListener();
    source = new AmqpMessageSource(settings, gatewayName);
    source.start(listener);
    sink.start();

    sink.send(new Command(actor.name(), "ping", "id-ping"));

    await().atMost(WAIT).until(() -> listener.replies.size() == 2);
    Reply running = listener.replies.get(0);
    Reply done = listener.replies.get(1);
    assertThat(running.header(Reply.MESSAGE_CODE)).isEqualTo(">");
    assertThat(running.internal()).isTrue();
    assertThat(running.body().isEmpty()).isTrue();
    assertThat(done.header(Reply.MESSAGE_CODE)).isEqualTo(":");
    assertThat(done.body().path("text").asText()).isEqualTo("Pong.");
    assertThat(List.of(running.commandId(), done.commandId())).containsOnly("id-ping");
    assertThat(done.routingKey()).isEqualTo("reply." + gatewayName + "." + actor.name());
  }

  @Test
  void commandsSentBackToBackReachTheActorInTheOrderTheyWereSent() throws Exception {
    actor = CluTestActor.start(settings.exchange(), TestBroker.uniqueName("actor"));
    sink.start();
    // Long enough that the unconfirmed ones pass the bound for publishing on the caller's
    // thread: some go out from here, the rest through the publisher thread.
    String padding = "x".repeat(200);
    int count = 300;
    List<CompletableFuture<CommandOutcome>> outcomes = new java.util.ArrayList<>();

    for (int i = 0; i < count; i++) {
      outcomes.add(
          sink.send(new Command(actor.name(), "echo " + i + " " + padding, "id-" + i))
              .toCompletableFuture());
    }

    CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertThat(outcomes).allSatisfy(o -> assertThat(o.get()).isEqualTo(CommandOutcome.PUBLISHED));
    await().atMost(WAIT).until(() -> actor.received().size() == count);
    assertThat(actor.received())
        .extracting(c -> c.properties().getCorrelationId())
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(0, count).mapToObj(i -> "id-" + i).toList());
  }

  @Test
  void aCommandBeforeStartFailsAtOnceWithBrokerUnavailable() {
    CompletableFuture<CommandOutcome> result =
        sink.send(new Command("anyone", "ping", "id-1")).toCompletableFuture();

    assertThat(result)
        .failsWithin(Duration.ofSeconds(1))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(BrokerUnavailableException.class);
  }
}
