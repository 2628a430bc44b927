package dev.cluws.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.cluws.amqp.AmqpCommandSink;
import dev.cluws.amqp.AmqpMessageSource;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.CommandOutcome;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyListener;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker carries CLU's traffic as the gateway's own AMQP adapters and a CLU actor
 * produce it: topic exchange, commands with confirms, replies with headers, the replies queue as
 * the gateway declares it. No RabbitMQ involved.
 */
class EmbeddedBrokerIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static EmbeddedBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedBroker.start("127.0.0.1", 0);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static AmqpSettings settings(String exchange) {
    return AmqpSettings.defaults()
        .withHost(broker.host())
        .withPort(broker.port())
        .withExchange(exchange);
  }

  private static Connection connect() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.amqpUri());
    factory.setAutomaticRecoveryEnabled(false);
    return factory.newConnection("embedded-broker-it");
  }

  /** The kit's CLU actor (answers {@code ping} with {@code >} then {@code :} "Pong.") here. */
  private static CluTestActor pingActor(String exchange, String name) {
    return CluTestActor.start(TestBroker.factory(broker.host(), broker.port()), exchange, name);
  }

  @Test
  void theUriNamesTheLoopbackAddressTheBoundPortAndTheGuestUser() {
    assertThat(broker.amqpUri()).isEqualTo("amqp://guest:guest@127.0.0.1:" + broker.port() + "/");
    assertThat(broker.port()).isPositive();
  }

  @Test
  void aCommandFromTheGatewayReachesAnActorAndItsRepliesComeBackWithTheirHeaders()
      throws Exception {
    String exchange = unique("ex");
    String gateway = unique("gw");
    List<Reply> replies = new CopyOnWriteArrayList<>();
    ReplyListener listener = replies::add;
    try (AmqpMessageSource source = new AmqpMessageSource(settings(exchange), gateway);
        AmqpCommandSink sink = new AmqpCommandSink(settings(exchange), gateway);
        CluTestActor actor = pingActor(exchange, "demo")) {
      source.start(listener);
      sink.start();

      CommandOutcome outcome =
          sink.send(new Command("demo", "ping", "id-1"))
              .toCompletableFuture()
              .get(20, TimeUnit.SECONDS);

      assertThat(outcome).isEqualTo(CommandOutcome.PUBLISHED);
      await().atMost(WAIT).until(() -> replies.size() >= 2);
      assertThat(replies).extracting(Reply::sender).containsOnly("demo");
      assertThat(replies).extracting(Reply::commandId).containsOnly("id-1");
      assertThat(replies).extracting(Reply::commanderId).containsOnly(gateway + ".demo");
      assertThat(replies).extracting(r -> r.header(Reply.MESSAGE_CODE)).containsExactly(">", ":");
      assertThat(replies.get(1).body().path("text").asText()).isEqualTo("Pong.");
      assertThat(replies.get(1).routingKey()).isEqualTo("reply." + gateway + ".demo");
    }
  }

  @Test
  void aBroadcastReachesEveryGatewayOnTheExchange() throws Exception {
    String exchange = unique("ex");
    List<Reply> first = new CopyOnWriteArrayList<>();
    List<Reply> second = new CopyOnWriteArrayList<>();
    try (AmqpMessageSource one = new AmqpMessageSource(settings(exchange), unique("gw"));
        AmqpMessageSource two = new AmqpMessageSource(settings(exchange), unique("gw"));
        CluTestActor actor = pingActor(exchange, "enclosure")) {
      one.start(first::add);
      two.start(second::add);

      actor.broadcast(Map.of("dome", "open"));

      await().atMost(WAIT).until(() -> first.size() == 1 && second.size() == 1);
      assertThat(first.get(0).routingKey()).isEqualTo(CluTestActor.BROADCAST);
      assertThat(second.get(0).body().path("dome").asText()).isEqualTo("open");
    }
  }

  @Test
  void aCommandToAnActorThatIsNotRunningIsReturnedNotRefusedAndGetsCluRoutingFailureReply()
      throws Exception {
    String exchange = unique("ex");
    String gateway = unique("gw");
    List<Reply> replies = new CopyOnWriteArrayList<>();
    try (AmqpMessageSource source = new AmqpMessageSource(settings(exchange), gateway);
        AmqpCommandSink sink = new AmqpCommandSink(settings(exchange), gateway)) {
      source.start(replies::add);
      sink.start();

      // Broker-J confirms an unroutable mandatory publish with a nack before it returns it
      // (RabbitMQ: return, then ack): the sink still reports it as returned, not refused.
      CommandOutcome outcome =
          sink.send(new Command("nobody", "ping", "id-2"))
              .toCompletableFuture()
              .get(20, TimeUnit.SECONDS);

      assertThat(outcome).isEqualTo(CommandOutcome.RETURNED);

      await().atMost(WAIT).until(() -> !replies.isEmpty());
      Reply failure = replies.get(0);
      assertThat(failure.header(Reply.MESSAGE_CODE)).isEqualTo("f");
      assertThat(failure.commandId()).isEqualTo("id-2");
      assertThat(failure.body().path("error").asText())
          .isEqualTo("Failed routing message to consumer 'nobody'.");
    }
  }

  @Test
  void theRepliesQueueAsTheGatewayDeclaresItWithRabbitMqArgumentsIsAcceptedAndCarriesReplies()
      throws Exception {
    String exchange = unique("ex");
    String queue = unique("gw") + "_replies";
    try (Connection connection = connect()) {
      Channel channel = connection.createChannel();
      channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
      channel.queueDeclare(
          queue,
          false,
          false,
          false,
          Map.of("x-expires", 60_000, "x-single-active-consumer", true));
      channel.queueBind(queue, exchange, "reply.#");

      channel.basicPublish(
          exchange,
          "reply.broadcast",
          new AMQP.BasicProperties.Builder().headers(Map.of("message_code", "i")).build(),
          "{}".getBytes(StandardCharsets.UTF_8));

      await().atMost(WAIT).until(() -> channel.messageCount(queue) == 1);
      GetResponse response = channel.basicGet(queue, true);
      assertThat(response).isNotNull();
      assertThat(response.getProps().getHeaders().get("message_code").toString()).isEqualTo("i");
      assertThat(channel.queueDeclarePassive(queue).getConsumerCount()).isZero();
      channel.queueDelete(queue);
    }
  }

  @Test
  void withSingleActiveConsumerASecondConsumerWaitsUntilTheFirstLeaves() throws Exception {
    String queue = unique("sac") + "_replies";
    try (Connection connection = connect()) {
      Channel first = connection.createChannel();
      Channel second = connection.createChannel();
      first.queueDeclare(queue, false, false, false, Map.of("x-single-active-consumer", true));
      List<String> firstGot = new CopyOnWriteArrayList<>();
      List<String> secondGot = new CopyOnWriteArrayList<>();
      String firstTag =
          first.basicConsume(
              queue,
              true,
              (tag, d) -> firstGot.add(new String(d.getBody(), StandardCharsets.UTF_8)),
              tag -> {});
      second.basicConsume(
          queue,
          true,
          (tag, d) -> secondGot.add(new String(d.getBody(), StandardCharsets.UTF_8)),
          tag -> {});

      first.basicPublish("", queue, null, "one".getBytes(StandardCharsets.UTF_8));
      await().atMost(WAIT).until(() -> firstGot.size() == 1);
      first.basicCancel(firstTag);
      first.basicPublish("", queue, null, "two".getBytes(StandardCharsets.UTF_8));

      await().atMost(WAIT).until(() -> secondGot.size() == 1);
      assertThat(firstGot).containsExactly("one");
      assertThat(secondGot).containsExactly("two");
      first.queueDelete(queue);
    }
  }

  @Test
  void aNonLoopbackAddressIsRefusedBeforeAnythingListens() {
    assertThatThrownBy(() -> EmbeddedBroker.start("0.0.0.0", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the embedded broker listens on a loopback address only (localhost, 127.0.0.1, ::1),"
                + " not 0.0.0.0; for a broker other machines can reach, run RabbitMQ");
    assertThat(EmbeddedBroker.isLoopback("localhost")).isTrue();
    assertThat(EmbeddedBroker.isLoopback("10.1.2.3")).isFalse();
  }

  @Test
  void aTakenPortIsOneClearErrorAndLeavesNothingRunning() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> EmbeddedBroker.start("127.0.0.1", port))
          .isInstanceOf(EmbeddedBrokerException.class)
          .hasMessage(
              "cannot start the embedded broker on 127.0.0.1:"
                  + port
                  + ": the address is in use or not available");
    }
  }

  @Test
  void closingStopsListeningAndCanBeRepeated() throws Exception {
    EmbeddedBroker second = EmbeddedBroker.start("localhost", 0);
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(second.amqpUri());
    factory.setAutomaticRecoveryEnabled(false);
    Connection connection = factory.newConnection("closing-test");
    assertThat(connection.isOpen()).isTrue();

    second.close();
    second.close();

    await().atMost(WAIT).until(() -> !connection.isOpen());
    assertThatThrownBy(factory::newConnection).isInstanceOf(IOException.class);
  }
}
