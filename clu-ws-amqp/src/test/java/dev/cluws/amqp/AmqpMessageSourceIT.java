package dev.cluws.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.cluws.amqp.testing.TestAmqp;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.SourceState;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AmqpMessageSourceIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final AmqpSettings settings = TestAmqp.settings();
  private final String gatewayName = TestBroker.uniqueName("gw");
  private final RecordingListener listener = new RecordingListener();
  private AmqpMessageSource source;
  private CluTestActor actor;

  @AfterEach
  void tearDown() {
    if (source != null) {
      source.close();
    }
    if (actor != null) {
      actor.close();
    }
  }

  private AmqpMessageSource startSource(AmqpSettings sourceSettings) {
    source = new AmqpMessageSource(sourceSettings, gatewayName);
    source.start(listener);
    return source;
  }

  @Test
  void aValidReplyArrivesWithEveryHeaderAndProperty() {
    startSource(settings);
    actor = CluTestActor.start(settings.exchange(), TestBroker.uniqueName("actor"));
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("message_code", ":");
    headers.put("commander_id", "someone.actor");
    headers.put("command_id", "id-1234");
    headers.put("sender", actor.name());
    headers.put("internal", false);
    headers.put("extra_number", 7);
    Date sent = new Date(1_779_585_603_000L);
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .contentType("text/json")
            .correlationId("id-1234")
            .messageId("2fd4ae6ca62b462585b873ba35ba2d18")
            .timestamp(sent)
            .headers(headers)
            .build();
    actor.publishRaw(
        "reply.someone.actor",
        props,
        "{\"dome_status\": \"0x10\", \"n\": [1, 2]}".getBytes(StandardCharsets.UTF_8));

    await().atMost(WAIT).until(() -> listener.replies.size() == 1);
    Reply reply = listener.replies.get(0);
    assertThat(reply.headers())
        .containsExactly(
            Map.entry("command_id", "id-1234"),
            Map.entry("commander_id", "someone.actor"),
            Map.entry("extra_number", 7),
            Map.entry("internal", false),
            Map.entry("message_code", ":"),
            Map.entry("sender", actor.name()));
    assertThat(reply.exchange()).isEqualTo(settings.exchange());
    assertThat(reply.routingKey()).isEqualTo("reply.someone.actor");
    assertThat(reply.messageId()).isEqualTo("2fd4ae6ca62b462585b873ba35ba2d18");
    assertThat(reply.correlationId()).isEqualTo("id-1234");
    assertThat(reply.timestamp()).isEqualTo(Instant.ofEpochSecond(1_779_585_603L));
    assertThat(reply.body().path("dome_status").asText()).isEqualTo("0x10");
    assertThat(reply.body().path("n").size()).isEqualTo(2);
    assertThat(reply.messageCode()).contains(MessageCode.DONE);
    assertThat(source.state()).isEqualTo(SourceState.UP);
    assertThat(listener.states).contains(SourceState.UP);
  }

  @Test
  void invalidRepliesAreDroppedCountedAndNeverStallTheQueue() {
    startSource(settings.withPrefetch(10));
    actor = CluTestActor.start(settings.exchange(), TestBroker.uniqueName("actor"));
    int eachKind = 40; // four times the prefetch window
    for (int i = 0; i < eachKind; i++) {
      actor.publishRaw("reply.broadcast", props(null, null, null), json("{\"a\": 1}"));
      actor.publishRaw("reply.broadcast", props("i", "id-1", "id-2"), json("{\"a\": 1}"));
      actor.publishRaw("reply.broadcast", props("i", null, null), json("not json {"));
    }
    actor.broadcast(Map.of("after", "the flood"));

    await().atMost(WAIT).until(() -> listener.replies.size() == 1);
    assertThat(listener.replies.get(0).body().path("after").asText()).isEqualTo("the flood");
    assertThat(source.invalidCount()).isEqualTo(3L * eachKind);
  }

  @Test
  void moreRepliesThanThePrefetchWindowAllArriveInOrder() {
    startSource(settings.withPrefetch(10));
    actor = CluTestActor.start(settings.exchange(), TestBroker.uniqueName("actor"));
    for (int i = 0; i < 1000; i++) {
      actor.broadcast(Map.of("seq", i));
    }
    await().atMost(WAIT).until(() -> listener.replies.size() == 1000);
    for (int i = 0; i < 1000; i++) {
      assertThat(listener.replies.get(i).body().path("seq").asInt()).isEqualTo(i);
    }
  }

  @Test
  void repliesKeepFlowingAfterAPauseInTheMiddleOfAnAcknowledgementBatch() {
    startSource(settings.withPrefetch(10)); // acknowledges every 5, and after a pause
    actor = CluTestActor.start(settings.exchange(), TestBroker.uniqueName("actor"));
    for (int i = 0; i < 8; i++) {
      actor.broadcast(Map.of("seq", i));
    }
    await().atMost(WAIT).until(() -> listener.replies.size() == 8);
    for (int i = 8; i < 20; i++) {
      actor.broadcast(Map.of("seq", i));
    }
    await().atMost(WAIT).until(() -> listener.replies.size() == 20);
  }

  @Test
  void theExchangeIsDeclaredExactlyAsCluDeclaresIt() throws Exception {
    startSource(settings);
    try (Connection connection = TestBroker.connect(TestBroker.uniqueName("check"))) {
      Channel channel = connection.createChannel();
      channel.exchangeDeclare(settings.exchange(), BuiltinExchangeType.TOPIC, false, true, null);
      Channel other = connection.createChannel();
      assertThatThrownBy(
              () ->
                  other.exchangeDeclare(
                      settings.exchange(), BuiltinExchangeType.TOPIC, true, false, null))
          .isInstanceOf(IOException.class)
          .hasStackTraceContaining("PRECONDITION_FAILED");
    }
  }

  @Test
  void theRepliesQueueIsNamedAfterTheGatewayAndGoesAwayWhenTheSourceCloses() throws Exception {
    startSource(settings);
    assertThat(source.queueName()).isEqualTo(gatewayName + "_replies");
    try (Connection connection = TestBroker.connect(TestBroker.uniqueName("check"))) {
      Channel channel = connection.createChannel();
      assertThat(channel.queueDeclarePassive(gatewayName + "_replies").getConsumerCount())
          .isEqualTo(1);
    }

    source.close();

    assertThat(TestBroker.queueExists(gatewayName + "_replies")).isFalse();
  }

  @Test
  void whileTheListenerHasNoRoomTheBrokerKeepsAllButOnePrefetchWindowInTheQueue() {
    startSource(settings.withPrefetch(10));
    actor = CluTestActor.start(settings.exchange(), TestBroker.uniqueName("actor"));
    listener.full();
    for (int i = 0; i < 100; i++) {
      actor.broadcast(Map.of("seq", i));
    }

    await().atMost(WAIT).until(() -> listener.replies.size() == 10);
    await().atMost(WAIT).until(() -> TestBroker.readyMessages(source.queueName()) == 90);
    assertThat(source.holdingAcknowledgements()).isTrue();
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> listener.replies.size() == 10);

    listener.drained();

    await().atMost(WAIT).until(() -> listener.replies.size() == 100);
    for (int i = 0; i < 100; i++) {
      assertThat(listener.replies.get(i).body().path("seq").asInt()).isEqualTo(i);
    }
    assertThat(source.holdingAcknowledgements()).isFalse();
  }

  @Test
  void aSecondGatewayWithTheSameNameIsRefusedWithAClearMessage() {
    startSource(settings);
    AmqpMessageSource twin = new AmqpMessageSource(settings, gatewayName);
    try {
      assertThatThrownBy(() -> twin.start(new RecordingListener()))
          .isInstanceOf(CluWsException.class)
          .hasMessageContaining(gatewayName + "_replies")
          .hasMessageContaining("needs its own name");
    } finally {
      twin.close();
    }
  }

  @Test
  void anUnreachableBrokerIsReportedInOneClearSentence() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    AmqpMessageSource unreachable =
        new AmqpMessageSource(settings.withPort(closedPort), gatewayName);
    try {
      assertThatThrownBy(() -> unreachable.start(new RecordingListener()))
          .isInstanceOf(BrokerUnavailableException.class)
          .hasMessage(
              "cannot connect to RabbitMQ at amqp://guest@127.0.0.1:"
                  + closedPort
                  + "/: connection refused (is RabbitMQ running?)");
    } finally {
      unreachable.close();
    }
  }

  @Test
  void closingTheSourceReportsClosedAndIsIdempotent() {
    startSource(settings);
    source.close();
    source.close();
    assertThat(source.state()).isEqualTo(SourceState.CLOSED);
    assertThat(listener.states).endsWith(SourceState.CLOSED);
  }

  private static AMQP.BasicProperties props(String code, String commandId, String correlationId) {
    Map<String, Object> headers = new LinkedHashMap<>();
    if (code != null) {
      headers.put("message_code", code);
    }
    headers.put("command_id", commandId);
    headers.put("sender", "someone");
    return new AMQP.BasicProperties.Builder().correlationId(correlationId).headers(headers).build();
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
