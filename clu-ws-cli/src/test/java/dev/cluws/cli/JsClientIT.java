package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.cluws.amqp.testing.CluTestActor;
import dev.cluws.amqp.testing.TestBroker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript client ({@code clients/js}) against a real gateway: its Node tests ({@code node
 * --test}) run with the gateway's URL and a CLU test actor's name in the environment.
 */
class JsClientIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @Test
  void theJavaScriptClientPassesItsTestsAgainstARealGateway() throws Exception {
    List<String> node = NodeTests.node();
    try (GatewayFixture fixture = new GatewayFixture();
        SlowActor slow = SlowActor.start(fixture.amqp.exchange(), TestBroker.uniqueName("slow"))) {
      CluTestActor actor = fixture.actor();
      try (AutoCloseable heartbeat = NodeTests.heartbeat(actor)) {
        List<String> command = new ArrayList<>(node);
        command.addAll(List.of("--test", "--test-reporter=spec"));
        command.addAll(NodeTests.testFiles("test"));

        NodeTests.Run run =
            NodeTests.run(
                command,
                Map.of(
                    "CLU_WS_URL", fixture.uri().toString(),
                    "CLU_WS_ACTOR", actor.name(),
                    "CLU_WS_SLOW_ACTOR", slow.name),
                TIMEOUT,
                Path.of("target", "js-client-tests.log").toAbsolutePath());

        assertThat(run.exitCode())
            .withFailMessage("node --test failed (exit %d):%n%s", run.exitCode(), run.output())
            .isZero();
        assertThat(run.output())
            .withFailMessage("node --test skipped or ran no test:%n%s", run.output())
            .containsPattern("(?m)^\u2139 fail 0$")
            .containsPattern("(?m)^\u2139 skipped 0$")
            .doesNotContainPattern("(?m)^\u2139 pass 0$");
      }
    }
  }

  /**
   * A CLU actor whose {@code wait <ms>} command answers {@code >} at once and {@code :} with
   * {@code {"text": "waited <ms> ms"}} that much later (at most 5 s), so a test can drop a socket
   * while a command is still running. Anything else fails.
   */
  private static final class SlowActor implements AutoCloseable {
    private final String name;
    private final String exchange;
    private final Connection connection;
    private final Channel channel;
    private final JsonMapper mapper = JsonMapper.builder().build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private SlowActor(String name, String exchange, Connection connection, Channel channel) {
      this.name = name;
      this.exchange = exchange;
      this.connection = connection;
      this.channel = channel;
    }

    static SlowActor start(String exchange, String name) throws IOException {
      Connection connection = TestBroker.connect(name);
      Channel channel = connection.createChannel();
      TestBroker.declareExchange(channel, exchange);
      String queue = name + "_commands";
      channel.queueDeclare(queue, false, true, true, null);
      channel.queueBind(queue, exchange, "command." + name + ".#");
      SlowActor actor = new SlowActor(name, exchange, connection, channel);
      channel.basicConsume(
          queue,
          true,
          new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(
                String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
              actor.handle(props, body);
            }
          });
      return actor;
    }

    private void handle(AMQP.BasicProperties props, byte[] body) {
      String commandId = props.getCorrelationId();
      Map<String, Object> received = props.getHeaders();
      String commander = String.valueOf(received == null ? null : received.get("commander_id"));
      String commandString;
      try {
        commandString = mapper.readTree(body).path("command_string").asText();
      } catch (IOException e) {
        return;
      }
      reply(">", commandId, commander, mapper.createObjectNode());
      String[] words = commandString.trim().split("\\s+");
      if (words.length == 2 && words[0].equals("wait") && words[1].matches("\\d{1,4}")) {
        long ms = Math.min(5000, Long.parseLong(words[1]));
        ObjectNode done = mapper.createObjectNode().put("text", "waited " + ms + " ms");
        timer.schedule(() -> reply(":", commandId, commander, done), ms, TimeUnit.MILLISECONDS);
      } else {
        ObjectNode error = mapper.createObjectNode().put("error", "usage: wait <ms>");
        reply("f", commandId, commander, error);
      }
    }

    private void reply(String code, String commandId, String commanderId, JsonNode body) {
      Map<String, Object> headers = new LinkedHashMap<>();
      headers.put("message_code", code);
      headers.put("commander_id", commanderId);
      headers.put("command_id", commandId);
      headers.put("sender", name);
      headers.put("internal", false);
      AMQP.BasicProperties props =
          new AMQP.BasicProperties.Builder()
              .contentType("text/json")
              .correlationId(commandId)
              .messageId(UUID.randomUUID().toString().replace("-", ""))
              .timestamp(new Date())
              .headers(headers)
              .build();
      try {
        synchronized (channel) {
          channel.basicPublish(
              exchange, "reply." + commanderId, props, mapper.writeValueAsBytes(body));
        }
      } catch (IOException | RuntimeException e) {
        // the test is over and the connection closed
      }
    }

    @Override
    public void close() {
      timer.shutdownNow();
      try {
        connection.close(2000);
      } catch (IOException | RuntimeException e) {
        // already closed
      }
    }
  }
}
