package dev.cluws.testkit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.LoopbackPorts;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Where nothing listens at the broker's address the kit starts the embedded broker there, once;
 * where something does, it starts nothing. (On another port than 5672, so the test does not depend
 * on whether RabbitMQ runs on this machine.)
 */
class TestBrokersIT {

  @Test
  void whereNothingListensTheEmbeddedBrokerIsStartedThereOnceAndCarriesAnActorsReplies()
      throws Exception {
    int port = LoopbackPorts.free();

    assertThat(TestBrokers.ensureAvailable(port)).isTrue();
    assertThat(TestBrokers.ensureAvailable(port)).isFalse();

    String exchange = TestBroker.uniqueName("test-ex");
    try (CluTestActor actor =
            CluTestActor.start(
                TestBroker.factory(TestBroker.HOST, port), exchange, TestBroker.uniqueName("a"));
        Connection listener =
            TestBroker.factory(TestBroker.HOST, port).newConnection("kit-listener")) {
      Channel channel = listener.createChannel();
      String queue = channel.queueDeclare().getQueue();
      channel.queueBind(queue, exchange, "reply.#");

      actor.broadcast(Map.of("dome", "open"));

      AtomicReference<GetResponse> got = new AtomicReference<>();
      await()
          .atMost(WsClient.WAIT)
          .until(
              () -> {
                GetResponse response = channel.basicGet(queue, true);
                if (response != null) {
                  got.set(response);
                }
                return got.get() != null;
              });
      assertThat(new String(got.get().getBody(), StandardCharsets.UTF_8))
          .isEqualTo("{\"dome\":\"open\"}");
      assertThat(got.get().getProps().getHeaders().get("sender").toString())
          .isEqualTo(actor.name());
    }
  }

  @Test
  void whereSomethingListensNothingIsStarted() throws Exception {
    try (ServerSocket something = new ServerSocket(0, 10, InetAddress.getByName(TestBroker.HOST))) {
      assertThat(TestBrokers.ensureAvailable(something.getLocalPort())).isFalse();
    }
  }
}
