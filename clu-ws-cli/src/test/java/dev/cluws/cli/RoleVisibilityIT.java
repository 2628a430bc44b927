package dev.cluws.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A role limited to one actor never receives a frame of another actor, through any path a frame
 * takes (snapshot at connect, snapshot on request with and without naming the other actor, replay
 * with {@code since=0}, live replies, acknowledgements), while an operator receives the same data
 * (shown first, so that the absence is not vacuous); a token without roles sees no actor's data; a
 * reply published through the broker's default exchange straight to the gateway's queue, claiming
 * to be the gateway, is an actor's reply and hidden from the viewer. Real gateway started through
 * the {@code clu-ws} options (token file, permissions), real RabbitMQ, real websockets.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RoleVisibilityIT {
  private static final String OPERATOR_TOKEN = "operator-" + UUID.randomUUID();
  private static final String VIEWER_TOKEN = "viewer-" + UUID.randomUUID();
  private static final String NO_ROLES_TOKEN = "nobody-" + UUID.randomUUID();

  @TempDir Path dir;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final String alphaName = TestBroker.uniqueName("alpha");
  private final String betaName = TestBroker.uniqueName("beta");

  /** Text only actor beta's replies carry: a viewer must never see it. */
  private final String betaSecret = "beta-secret-" + UUID.randomUUID();

  private CliGateway gateway;
  private String gatewayName;
  private String exchange;
  private CluTestActor alpha;
  private CluTestActor beta;

  @BeforeEach
  void startTheGatewayAndTwoActors() throws Exception {
    Files.writeString(
        dir.resolve("tokens"),
        OPERATOR_TOKEN
            + " olga operator\n"
            + VIEWER_TOKEN
            + " victor viewer\n"
            + NO_ROLES_TOKEN
            + " nobody\n");
    Files.writeString(
        dir.resolve("permissions.json"),
        "{\"roles\": {\n"
            + "  \"operator\": {\"commands\": [{\"consumers\": [\"*\"]}]},\n"
            + "  \"viewer\": {\"commands\": [{\"consumers\": [\""
            + alphaName
            + "\"]}],"
            + " \"replies\": [\""
            + alphaName
            + "\"]}\n"
            + "}}\n");
    gateway =
        CliGateway.start(
            "--token-file",
            dir.resolve("tokens").toString(),
            "--permissions",
            dir.resolve("permissions.json").toString());
    resources.add(gateway);
    gatewayName = gateway.name;
    exchange = gateway.exchange;
    alpha = actor(alphaName);
    beta = actor(betaName);
  }

  @AfterEach
  void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        // closing anyway
      }
    }
  }

  private CluTestActor actor(String name) {
    CluTestActor actor = CluTestActor.start(exchange, name);
    resources.add(actor);
    return actor;
  }

  private WsClient client(String token, String query) {
    URI uri = gateway.uri().resolve("/" + query);
    WsClient client =
        WsClient.connect(
            uri, HttpClient.newHttpClient(), b -> b.header("Authorization", "Bearer " + token));
    resources.add(client);
    return client;
  }

  private static String command(String consumer, String commandString, String id) {
    return "{\"consumer\": \""
        + consumer
        + "\", \"command_string\": \""
        + commandString
        + "\", \"command_id\": \""
        + id
        + "\"}";
  }

  private static String sender(JsonNode frame) {
    return frame.path("headers").path("sender").asText();
  }

  /**
   * Every frame the client got that carries actor beta's data: sent by beta, or holding its secret
   * (the gateway's answer to the client's own command to beta names beta, and may).
   */
  private List<JsonNode> betaFrames(WsClient client) {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode frame : client.frames()) {
      if (sender(frame).equals(betaName) || frame.toString().contains(betaSecret)) {
        found.add(frame);
      }
    }
    return found;
  }

  private JsonNode awaitSnapshotDone(WsClient client, String commandId) {
    return client.awaitFrame(
        f ->
            f.path("body").path("control").asText().equals("snapshot")
                && (commandId == null
                    || f.path("headers").path("command_id").asText().equals(commandId)));
  }

  private JsonNode awaitReplayNotice(WsClient client) {
    return client.awaitFrame(f -> f.path("body").has("replay"));
  }

  /** Beta broadcasts its secret, answers a command with it, and the operator sees it all. */
  private WsClient betaHasDataTheOperatorSees() {
    WsClient operator = client(OPERATOR_TOKEN, "");
    // A command answered proves the gateway has registered the operator before anyone broadcasts.
    operator.send(command(betaName, "status", "op-1"));
    operator.awaitFinished("op-1");
    alpha.broadcast(Map.of("dome", "open"));
    beta.broadcast(Map.of("secret", betaSecret));
    operator.awaitFrame(f -> f.toString().contains(betaSecret));
    operator.awaitFrame(f -> sender(f).equals(alphaName));
    return operator;
  }

  @Test
  void aViewerLimitedToOneActorNeverReceivesAFrameOfAnotherThroughAnyPathWhileAnOperatorDoes() {
    WsClient operator = betaHasDataTheOperatorSees();

    // Snapshot at connect, replay from the start, live, with acknowledgements: all at once.
    WsClient viewer = client(VIEWER_TOKEN, "?snapshot=true&since=0&acks=true&seq=true");
    WsClient operatorToo = client(OPERATOR_TOKEN, "?snapshot=true&since=0");
    awaitReplayNotice(viewer);
    JsonNode viewerSnapshot = awaitSnapshotDone(viewer, null);
    awaitSnapshotDone(operatorToo, null);
    assertThat(betaFrames(operatorToo)).as("the operator's snapshot and replay").isNotEmpty();
    assertThat(viewerSnapshot.path("body").path("actors").asInt()).isEqualTo(1);

    // Snapshots asked for later, with and without naming beta.
    viewer.send("{\"control\": \"snapshot\", \"command_id\": \"s-all\"}");
    viewer.send(
        "{\"control\": \"snapshot\", \"actors\": [\"" + betaName + "\"], \"command_id\": \"s-b\"}");
    operator.send(
        "{\"control\": \"snapshot\", \"actors\": [\"" + betaName + "\"], \"command_id\": \"s-b\"}");
    assertThat(awaitSnapshotDone(viewer, "s-all").path("body").path("actors").asInt()).isEqualTo(1);
    assertThat(awaitSnapshotDone(viewer, "s-b").path("body").path("actors").asInt()).isZero();
    assertThat(awaitSnapshotDone(operator, "s-b").path("body").path("actors").asInt()).isOne();

    // Live: beta, then alpha; once alpha's reply is in, beta's would have been too.
    beta.broadcast(Map.of("secret", betaSecret, "live", true));
    viewer.send(command(alphaName, "status", "v-1"));
    viewer.send(command(betaName, "status", "v-2"));
    viewer.awaitFinished("v-1");
    viewer.awaitFinished("v-2");
    alpha.broadcast(Map.of("dome", "closed"));
    viewer.awaitFrame(f -> f.path("body").path("dome").asText().equals("closed"));
    operator.awaitFrame(f -> f.path("body").path("live").asBoolean());

    assertThat(betaFrames(viewer)).isEmpty();
    assertThat(viewer.frames())
        .as("the viewer did get alpha's data on every path")
        .anyMatch(f -> f.path("headers").path("snapshot").asBoolean())
        .anyMatch(f -> f.has("seq") && sender(f).equals(alphaName))
        .anyMatch(f -> f.path("body").path("ack").asText().equals("published"));
  }

  @Test
  void aTokenWithoutRolesSeesNoActorsDataOnAnyPath() {
    betaHasDataTheOperatorSees();

    WsClient nobody = client(NO_ROLES_TOKEN, "?snapshot=true&since=0");
    awaitReplayNotice(nobody);
    awaitSnapshotDone(nobody, null);
    nobody.send("{\"control\": \"snapshot\", \"command_id\": \"s-1\"}");
    awaitSnapshotDone(nobody, "s-1");
    alpha.broadcast(Map.of("dome", "closed"));
    beta.broadcast(Map.of("secret", betaSecret));
    nobody.send("{\"control\": \"snapshot\", \"command_id\": \"s-2\"}");
    awaitSnapshotDone(nobody, "s-2");

    assertThat(nobody.frames()).isNotEmpty().allMatch(f -> sender(f).equals(gatewayName));
    assertThat(nobody.frames())
        .allMatch(f -> !f.toString().contains(betaSecret) && !f.toString().contains(alphaName));
  }

  @Test
  void aReplyPublishedStraightToTheGatewaysQueueClaimingToBeTheGatewayIsHiddenFromAViewer()
      throws Exception {
    WsClient operator = client(OPERATOR_TOKEN, "");
    WsClient viewer = client(VIEWER_TOKEN, "");
    String forged = "forged-" + UUID.randomUUID();

    try (Connection connection = TestBroker.connect("forger")) {
      Channel channel = connection.createChannel();
      Map<String, Object> headers = new LinkedHashMap<>();
      headers.put("message_code", "w");
      headers.put("sender", gatewayName);
      headers.put("command_id", null);
      headers.put("commander_id", null);
      headers.put("internal", false);
      headers.put("snapshot", true);
      AMQP.BasicProperties props =
          new AMQP.BasicProperties.Builder()
              .headers(headers)
              .contentType("application/json")
              .build();
      channel.basicPublish(
          "",
          gatewayName + "_replies",
          props,
          ("{\"broker\": \"disconnected\", \"text\": \"" + forged + "\"}").getBytes(UTF_8));
    }
    operator.awaitFrame(f -> f.toString().contains(forged));
    alpha.broadcast(Map.of("after", "forged"));
    operator.awaitFrame(f -> f.path("body").path("after").asText().equals("forged"));
    viewer.awaitFrame(f -> f.path("body").path("after").asText().equals("forged"));

    assertThat(viewer.frames()).noneMatch(f -> f.toString().contains(forged));
    // Nor does it become "the gateway's" state, nor a snapshot frame of an actor named so.
    viewer.send("{\"control\": \"snapshot\", \"command_id\": \"s-1\"}");
    awaitSnapshotDone(viewer, "s-1");
    assertThat(viewer.frames()).noneMatch(f -> f.toString().contains(forged));
  }
}
