package dev.cluws.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs each scenario of the load tool with tiny numbers against the real RabbitMQ on 127.0.0.1 and
 * a real gateway JVM, and checks what a user of the tool relies on: reading clients lose, repeat
 * and reorder nothing, every command is answered, every idle connection is registered, and each run
 * is one well-formed JSON line followed by a summary table. No timing is asserted.
 */
class LoadToolIT {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private record Output(int status, List<JsonNode> records, String text) {}

  private static Output run(String... args) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = LoadTool.execute(args, out);
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    List<JsonNode> records = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("{")) {
        records.add(MAPPER.readTree(line));
      }
    }
    return new Output(status, records, text);
  }

  @Test
  void
      historyRequestsToARestartedGatewayGetTheirWholeAnswerAndARebuildReadsTheWholeStreamLeavingNoStream()
          throws Exception {
    Output out =
        run(
            "history",
            "--replies",
            "300",
            "--limit",
            "200",
            "--requests",
            "2",
            "--restart",
            "--rebuild-replies",
            "500",
            "--rebuild-starts",
            "1");

    assertThat(out.status()).isZero();
    assertThat(out.records()).hasSize(2);
    JsonNode request = out.records().get(0);
    assertThat(request.path("scenario").asText()).isEqualTo("history-request");
    assertThat(request.path("results").path("history_frames").asInt()).isEqualTo(200);
    assertThat(request.path("results").path("request_ms")).hasSize(2);
    assertThat(request.path("results").path("plain_read_ms"))
        .as("a plain AMQP consumer read as many replies of the same stream, as often")
        .hasSize(2)
        .allSatisfy(ms -> assertThat(ms.asDouble()).isPositive());
    assertThat(request.path("results").path("restart_ready_ms").asLong()).isPositive();
    assertThat(request.path("results").path("end_frame").asText())
        .contains("\"replies\":200", "\"limit\":\"replies\"");
    JsonNode rebuild = out.records().get(1);
    assertThat(rebuild.path("scenario").asText()).isEqualTo("history-rebuild");
    assertThat(rebuild.path("results").path("starts").get(0).path("replies_read").asLong())
        .isEqualTo(500);
    assertThat(out.text()).contains("| history request |").contains("| history rebuild |");
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    try (Connection connection = factory.newConnection()) {
      for (JsonNode record : out.records()) {
        String stream = record.path("params").path("stream").asText();
        assertThat(stream).isNotEmpty();
        Channel channel = connection.createChannel();
        assertThatThrownBy(() -> channel.queueDeclarePassive(stream))
            .as("the run deleted its stream %s", stream)
            .isInstanceOf(IOException.class);
      }
    }
  }

  @Test
  void fanoutClientsAndBaselineReceiveEveryReplyOnceAndInOrder() throws Exception {
    Output out =
        run(
            "fanout",
            "--clients",
            "2",
            "--replies",
            "500",
            "--gateway-warmup",
            "100",
            "--warmup",
            "100",
            "--stall",
            "5");

    assertThat(out.status()).isZero();
    assertThat(out.records()).hasSize(1);
    JsonNode record = out.records().get(0);
    assertThat(record.path("scenario").asText()).isEqualTo("fanout");
    assertThat(record.path("params").path("clients").asInt()).isEqualTo(2);
    JsonNode results = record.path("results");
    assertThat(results.path("end").asText()).isEqualTo("complete");
    JsonNode clients = results.path("clients");
    assertThat(clients.path("complete").asInt()).isEqualTo(2);
    assertThat(clients.path("received").asLong()).isEqualTo(1000);
    assertThat(clients.path("lost").asLong()).isZero();
    assertThat(clients.path("duplicates").asLong()).isZero();
    assertThat(clients.path("order_violations").asLong()).isZero();
    assertThat(clients.path("latency").path("count").asLong()).isEqualTo(1000);
    assertThat(results.path("baseline").path("lost").asLong()).isZero();
    assertThat(results.path("ratio_vs_baseline").asDouble()).isPositive();
    assertThat(results.path("gateway_memory").path("peak_rss_mib").asDouble()).isPositive();
    assertThat(out.text()).contains("| scenario |").contains("| fanout | K=2 M=500");
  }

  @Test
  void plainConsumersOfAPlainFanoutEachReceiveEveryReplyAndLeaveNoExchangeBehind()
      throws Exception {
    Output out =
        run(
            "fanout",
            "--clients",
            "3",
            "--replies",
            "300",
            "--rate",
            "1000",
            "--gateway-warmup",
            "50",
            "--warmup",
            "50",
            "--stall",
            "5",
            "--plain-fanout");

    assertThat(out.status()).isZero();
    assertThat(out.records()).hasSize(2);
    JsonNode plain = out.records().get(1);
    assertThat(plain.path("scenario").asText()).isEqualTo("plain-fanout");
    JsonNode results = plain.path("results");
    assertThat(results.path("end").asText()).isEqualTo("complete");
    assertThat(results.path("plain_consumers").path("consumers").asInt()).isEqualTo(3);
    assertThat(results.path("plain_consumers").path("received").asLong()).isEqualTo(900);
    assertThat(results.path("plain_consumers").path("lost").asLong()).isZero();
    assertThat(results.path("plain_consumers").path("latency").path("count").asLong())
        .isEqualTo(900);
    assertThat(out.text()).contains("| plain-fanout | K=3 plain consumers M=300");
    String exchange = plain.path("params").path("exchange").asText();
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    try (Connection connection = factory.newConnection()) {
      Channel channel = connection.createChannel();
      assertThatThrownBy(() -> channel.exchangeDeclarePassive(exchange))
          .as("the auto-delete exchange %s went with its consumers", exchange)
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void aPerfTestFloodReachesTheClientsAndThePlainConsumerAndLeavesNothingOnTheBroker()
      throws Exception {
    Output out =
        run(
            "fanout",
            "--perftest",
            "--clients",
            "2",
            "--replies",
            "500",
            "--gateway-warmup",
            "100",
            "--warmup",
            "100",
            "--stall",
            "5");

    assertThat(out.status()).isZero();
    JsonNode record = out.records().get(0);
    assertThat(record.path("params").path("publisher").asText()).isEqualTo("perftest");
    JsonNode results = record.path("results");
    assertThat(results.path("publisher").path("exit_status").asInt()).isZero();
    assertThat(results.path("publisher").path("command").asText())
        .contains("com.rabbitmq.perf.PerfTest", " -p ", "-C 500", "sender=bench");
    assertThat(results.path("publisher").has("outran_both_consumers")).isTrue();
    assertThat(results.path("end").asText()).isEqualTo("complete");
    assertThat(results.path("clients").path("received").asLong()).isEqualTo(1000);
    assertThat(results.path("clients").path("lost").asLong()).isZero();
    assertThat(results.path("baseline").path("received").asLong()).isEqualTo(500);
    String exchange = record.path("params").path("exchange").asText();
    assertThat(exchange).isNotEmpty();
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    try (Connection connection = factory.newConnection()) {
      Channel channel = connection.createChannel();
      assertThatThrownBy(() -> channel.exchangeDeclarePassive(exchange))
          .as("PerfTest's exchange is gone (it was the run's auto-delete one)")
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void theStreamCostRunFeedsBothConsumersInEveryLayoutAndLeavesNoStreamOrExchange()
      throws Exception {
    Output out = run("stream-cost", "--replies", "400", "--rounds", "1", "--stall", "5");

    assertThat(out.status()).isZero();
    assertThat(out.records())
        .extracting(r -> r.path("params").path("layout").asText())
        .containsExactly("queues", "queues-and-stream", "queue-and-stream-reader");
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    try (Connection connection = factory.newConnection()) {
      for (JsonNode record : out.records()) {
        JsonNode results = record.path("results");
        assertThat(results.path("end").asText()).isEqualTo("complete");
        assertThat(results.path("publisher").path("exit_status").asInt()).isZero();
        assertThat(results.path("plain_consumer_received").asLong()).isEqualTo(400);
        assertThat(results.path("second_consumer_received").asLong()).isEqualTo(400);
        String exchange = record.path("params").path("exchange").asText();
        Channel channel = connection.createChannel();
        assertThatThrownBy(() -> channel.queueDeclarePassive(exchange + "-stream"))
            .as("the run's stream is deleted")
            .isInstanceOf(IOException.class);
        Channel again = connection.createChannel();
        assertThatThrownBy(() -> again.exchangeDeclarePassive(exchange))
            .as("the run's exchange is gone")
            .isInstanceOf(IOException.class);
      }
    }
    assertThat(out.text()).contains("two queues + stream", "one queue + stream read live");
  }

  @Test
  void aNeverReadingClientCostsTheReadersNothing() throws Exception {
    Output out =
        run(
            "slow",
            "--clients",
            "3",
            "--replies",
            "500",
            "--gateway-warmup",
            "100",
            "--warmup",
            "100",
            "--stall",
            "5");

    assertThat(out.status()).isZero();
    JsonNode results = out.records().get(0).path("results");
    for (String run : List.of("without", "with")) {
      JsonNode clients = results.path(run).path("clients");
      assertThat(clients.path("reading").asInt()).as(run).isEqualTo(2);
      assertThat(clients.path("lost").asLong()).as(run).isZero();
      assertThat(clients.path("duplicates").asLong()).as(run).isZero();
      assertThat(clients.path("order_violations").asLong()).as(run).isZero();
    }
    assertThat(
            out.records().get(0).path("params").path("with").path("never_reading_clients").asInt())
        .isEqualTo(1);
    assertThat(
            results.path("with").path("gateway_memory").path("heap_after_gc_after_mib").asDouble())
        .isPositive();
  }

  @Test
  void everyRoundtripCommandIsAnswered() throws Exception {
    Output out = run("roundtrip", "--clients", "1", "--commands", "50", "--warmup", "10");

    assertThat(out.status()).isZero();
    JsonNode results = out.records().get(0).path("results");
    assertThat(results.path("gateway").path("answered").asLong()).isEqualTo(50);
    assertThat(results.path("gateway").path("unanswered").asLong()).isZero();
    assertThat(results.path("gateway").path("failed").asLong()).isZero();
    assertThat(results.path("direct_amqp").path("answered").asLong()).isEqualTo(50);
    assertThat(results.path("actor_time").path("commands").asLong()).isEqualTo(120);
  }

  @Test
  void everyIdleConnectionIsRegistered() throws Exception {
    Output out = run("idle", "--connections", "50");

    assertThat(out.status()).isZero();
    JsonNode results = out.records().get(0).path("results");
    assertThat(results.path("opened").asInt()).isEqualTo(50);
    assertThat(results.path("registered").asInt()).isEqualTo(50);
    assertThat(results.path("gateway_memory").has("rss_bytes_per_connection")).isTrue();
  }

  @Test
  void aGatewayThatServesNoReadinessEndpointIsStillDriven() throws Exception {
    Output out = run("idle", "--connections", "5", "--gateway-args", "--no-health");

    assertThat(out.status()).isZero();
    assertThat(out.records().get(0).path("results").path("registered").asInt()).isEqualTo(5);
  }

  @Test
  void idleConnectionsThatOfferDeflateGetItOnlyFromAGatewayThatAllowsIt() throws Exception {
    Output declined = run("idle", "--connections", "20", "--deflate");
    Output allowed =
        run("idle", "--connections", "20", "--deflate", "--gateway-args", "--permessage-deflate");

    assertThat(declined.status()).isZero();
    assertThat(allowed.status()).isZero();
    JsonNode declinedResults = declined.records().get(0).path("results");
    JsonNode allowedResults = allowed.records().get(0).path("results");
    assertThat(declinedResults.path("registered").asInt()).isEqualTo(20);
    assertThat(declinedResults.path("permessage_deflate_negotiated").asInt()).isZero();
    assertThat(allowedResults.path("registered").asInt()).isEqualTo(20);
    assertThat(allowedResults.path("permessage_deflate_negotiated").asInt()).isEqualTo(20);
  }

  @Test
  void aGatewayTheToolStartsLogsAsTheDistributionDoesWithoutDebugLines() throws Exception {
    String log;
    String name = "clu_ws_load_logging_" + System.nanoTime();
    try (GatewayProcess gateway =
        GatewayProcess.start(
            new BrokerSettings("127.0.0.1", 5672, "guest", "guest"),
            List.of(),
            null,
            List.of(),
            name + "_ex",
            name,
            Duration.ofSeconds(60))) {
      log = gateway.logText();
    }
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    try (Connection connection = factory.newConnection()) {
      Channel channel = connection.createChannel();
      assertThatThrownBy(() -> channel.queueDeclarePassive(name + "_replies"))
          .as("the gateway's replies queue is deleted when the tool stops the gateway")
          .isInstanceOf(IOException.class);
    }

    // A gateway logging at DEBUG spends its CPU formatting Jetty's per-frame lines: the
    // measurement would measure the log.
    assertThat(log).contains(" INFO ").doesNotContain(" DEBUG ");
  }

  @Test
  void aRemoteBrokerIsRefusedBeforeAnyRun() throws Exception {
    Output out = run("fanout", "--rabbitmq-host", "192.0.2.1", "--clients", "1");

    assertThat(out.status()).isEqualTo(1);
    assertThat(out.records()).isEmpty();
  }
}
