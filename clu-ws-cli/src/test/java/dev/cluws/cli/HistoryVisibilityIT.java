package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A role limited to one actor never receives a frame of another from the shared history stream
 * ({@code --history-stream}): not in the answer to a history request (control frame or {@code
 * ?history=} at connect), not in a resume from a time or from a {@code message_id} that only the
 * stream still holds; an operator asking the same receives both actors' replies (shown, so that the
 * absence is not vacuous). Real gateway started through the {@code clu-ws} options (token file,
 * permissions, history stream, a replay ring of 5), real RabbitMQ, real websockets. The stream and
 * the exchange are deleted after each test.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HistoryVisibilityIT {
  private static final String OPERATOR_TOKEN = "operator-" + UUID.randomUUID();
  private static final String VIEWER_TOKEN = "viewer-" + UUID.randomUUID();

  /** Replies each actor publishes: together, four times what the replay ring keeps. */
  private static final int EACH = 10;

  @TempDir Path dir;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final String alphaName = TestBroker.uniqueName("alpha");
  private final String betaName = TestBroker.uniqueName("beta");
  private final String stream = TestBroker.uniqueName("history");

  /** Text only actor beta's replies carry: a viewer must never see it. */
  private final String betaSecret = "beta-secret-" + UUID.randomUUID();

  private WebsocketServer server;
  private String exchange;
  private CluTestActor alpha;
  private CluTestActor beta;

  @BeforeEach
  void startTheGatewayWithAHistoryStreamAndTwoActors() throws Exception {
    Files.writeString(
        dir.resolve("tokens"),
        OPERATOR_TOKEN + " olga operator\n" + VIEWER_TOKEN + " victor viewer\n");
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
    CliGateway gateway =
        keep(
            CliGateway.start(
                "--token-file",
                dir.resolve("tokens").toString(),
                "--permissions",
                dir.resolve("permissions.json").toString(),
                "--history-stream",
                stream,
                // A tiny replay ring: a resume point among the first replies is only in the stream.
                "--replay-frames",
                "5"));
    server = gateway.server;
    exchange = gateway.exchange;
    alpha = keep(CluTestActor.start(exchange, alphaName));
    beta = keep(CluTestActor.start(exchange, betaName));
  }

  @AfterEach
  void tearDown() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    if (server != null) {
      TestBroker.deleteQueue(stream); // durable: each test deletes its own
      TestBroker.deleteExchange(exchange); // auto-delete, gone with the stream's binding already
    }
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(resource);
    return resource;
  }

  private WsClient client(String token, String query) {
    return keep(WsClient.to(server.uri()).path("/" + query).bearerToken(token).connect());
  }

  private static String sender(JsonNode frame) {
    return frame.path("headers").path("sender").asText();
  }

  private static boolean isHistory(JsonNode frame) {
    return frame.path("headers").path("history").asBoolean();
  }

  /** Every frame that carries actor beta's data: sent by beta, or holding its secret. */
  private List<JsonNode> betaFrames(WsClient client) {
    return client.frames().stream()
        .filter(f -> sender(f).equals(betaName) || f.toString().contains(betaSecret))
        .toList();
  }

  /** The numbers of the replies from one actor the client received, in order. */
  private static List<Integer> numbers(WsClient client, String actor) {
    return client.frames().stream()
        .filter(f -> sender(f).equals(actor) && f.path("body").has("n"))
        .map(f -> f.path("body").path("n").asInt())
        .toList();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.rangeClosed(from, to).boxed().toList();
  }

  private static String historyRequest(String commandId, String actors) {
    return "{\"control\": \"history\", \"command_id\": \""
        + commandId
        + "\", "
        + (actors == null ? "" : "\"actors\": " + actors + ", ")
        + "\"minutes\": 10}";
  }

  /** Sends a history request and returns its end frame, once every history frame is in. */
  private static JsonNode askHistory(WsClient client, String commandId, String actors) {
    client.send(historyRequest(commandId, actors));
    return client.awaitFrame(
        f ->
            commandId.equals(f.path("headers").path("command_id").asText())
                && f.path("body").path("control").asText().equals("history"));
  }

  /** The end frame of the history asked for at connect ({@code ?history=}). */
  private static JsonNode awaitHistoryAtConnect(WsClient client) {
    return client.awaitFrame(
        f ->
            f.path("body").path("control").asText().equals("history")
                && f.path("body").has("replies"));
  }

  private static JsonNode awaitReplayNotice(WsClient client) {
    return client.awaitFrame(f -> f.path("body").has("replay"));
  }

  /**
   * Alpha and beta each publish replies 1..{@link #EACH}, taking turns, alpha's first before any
   * other is published (beta's carry its secret); an operator connected before receives them all
   * live, and then its history request returns them all from the stream (fed beside the gateway's
   * own queue, so asked until it has them): the data is there.
   *
   * @return the frames of the operator's last history request: every reply, oldest first
   */
  private List<JsonNode> bothActorsPublishIntoTheStream() {
    int before = server.gateway().hub().clientCount();
    WsClient operator = client(OPERATOR_TOKEN, "");
    await().atMost(WsClient.WAIT).until(() -> server.gateway().hub().clientCount() == before + 1);
    // Alpha's first reply is in the stream before anything else is published: the actors publish on
    // connections of their own, so without this wait the broker may append some of beta's replies
    // ahead of it, and a resume from it would not be after all of beta's.
    alpha.broadcast(Map.of("n", 1, "dome", "open"));
    await().atMost(WsClient.WAIT).until(() -> numbers(operator, alphaName).size() == 1);
    for (int i = 1; i <= EACH; i++) {
      if (i > 1) {
        alpha.broadcast(Map.of("n", i, "dome", "open"));
      }
      beta.broadcast(Map.of("n", i, "secret", betaSecret));
    }
    await()
        .atMost(WsClient.WAIT)
        .until(
            () ->
                numbers(operator, alphaName).size() == EACH
                    && numbers(operator, betaName).size() == EACH);
    AtomicInteger attempt = new AtomicInteger();
    await()
        .atMost(WsClient.WAIT)
        .until(
            () ->
                askHistory(operator, "probe-" + attempt.incrementAndGet(), null)
                        .path("body")
                        .path("replies")
                        .asInt()
                    == 2 * EACH);
    List<JsonNode> frames = operator.frames();
    List<JsonNode> last = frames.subList(frames.size() - 1 - 2 * EACH, frames.size() - 1);
    assertThat(last).allMatch(HistoryVisibilityIT::isHistory);
    assertThat(last.stream().map(HistoryVisibilityIT::sender).distinct())
        .containsExactlyInAnyOrder(alphaName, betaName);
    operator.close();
    return last;
  }

  @Test
  void
      aViewerLimitedToOneActorAskingForTheHistoryOfEveryActorGetsOnlyThatActorsRepliesWhileAnOperatorGetsBoth() {
    bothActorsPublishIntoTheStream();

    WsClient operator = client(OPERATOR_TOKEN, "");
    JsonNode operatorAll = askHistory(operator, "all", null);
    JsonNode operatorBeta = askHistory(operator, "beta", "[\"" + betaName + "\"]");
    assertThat(operatorAll.path("body").path("replies").asInt()).isEqualTo(2 * EACH);
    assertThat(operatorBeta.path("body").path("replies").asInt()).isEqualTo(EACH);
    assertThat(numbers(operator, betaName)).isEqualTo(concat(range(1, EACH), range(1, EACH)));
    assertThat(numbers(operator, alphaName)).isEqualTo(range(1, EACH));

    WsClient viewer = client(VIEWER_TOKEN, "");
    JsonNode all = askHistory(viewer, "all", null);
    JsonNode star = askHistory(viewer, "star", "[\"*\"]");
    JsonNode named = askHistory(viewer, "beta", "[\"" + betaName + "\"]");

    assertThat(betaFrames(viewer)).isEmpty();
    assertThat(all.path("body").path("replies").asInt()).isEqualTo(EACH);
    assertThat(star.path("body").path("replies").asInt()).isEqualTo(EACH);
    assertThat(named.path("body").path("replies").asInt()).isZero();
    assertThat(numbers(viewer, alphaName)).isEqualTo(concat(range(1, EACH), range(1, EACH)));
    assertThat(viewer.frames())
        .filteredOn(f -> sender(f).equals(alphaName))
        .allMatch(HistoryVisibilityIT::isHistory);
  }

  @Test
  void
      aViewerLimitedToOneActorConnectingWithHistoryGetsOnlyThatActorsRepliesWhileAnOperatorGetsBoth() {
    bothActorsPublishIntoTheStream();

    WsClient operator = client(OPERATOR_TOKEN, "?history=10");
    WsClient viewer = client(VIEWER_TOKEN, "?history=10");
    JsonNode operatorEnd = awaitHistoryAtConnect(operator);
    JsonNode viewerEnd = awaitHistoryAtConnect(viewer);
    // Once alpha's live reply is in, everything queued before it is too.
    alpha.broadcast(Map.of("after", "history"));
    viewer.awaitFrame(f -> f.path("body").path("after").asText().equals("history"));

    assertThat(operatorEnd.path("body").path("replies").asInt()).isEqualTo(2 * EACH);
    assertThat(numbers(operator, betaName)).isEqualTo(range(1, EACH));
    assertThat(numbers(operator, alphaName)).isEqualTo(range(1, EACH));

    assertThat(betaFrames(viewer)).isEmpty();
    assertThat(viewerEnd.path("body").path("replies").asInt()).isEqualTo(EACH);
    assertThat(numbers(viewer, alphaName)).isEqualTo(range(1, EACH));
    assertThat(viewer.frames())
        .filteredOn(f -> f.path("body").has("n"))
        .allMatch(HistoryVisibilityIT::isHistory);
  }

  @Test
  void
      aViewerLimitedToOneActorResumingFromATimeGetsOnlyThatActorsRepliesFromTheStreamWhileAnOperatorGetsBoth() {
    Instant before = Instant.now().minusSeconds(2);
    bothActorsPublishIntoTheStream();

    WsClient operator = client(OPERATOR_TOKEN, "?since=" + before);
    WsClient viewer = client(VIEWER_TOKEN, "?since=" + before);
    JsonNode operatorNotice = awaitReplayNotice(operator);
    JsonNode viewerNotice = awaitReplayNotice(viewer);
    alpha.broadcast(Map.of("after", "resume"));
    viewer.awaitFrame(f -> f.path("body").path("after").asText().equals("resume"));

    assertThat(operatorNotice.path("body").path("replay").asText()).isEqualTo("complete");
    assertThat(operatorNotice.path("body").path("from_history").asInt()).isPositive();
    assertThat(numbers(operator, betaName)).isEqualTo(range(1, EACH));
    assertThat(numbers(operator, alphaName)).isEqualTo(range(1, EACH));

    assertThat(betaFrames(viewer)).isEmpty();
    assertThat(viewerNotice.path("body").path("replay").asText()).isEqualTo("complete");
    assertThat(viewerNotice.path("body").path("from_history").asInt()).isPositive();
    assertThat(viewerNotice.path("body").path("replayed").asInt()).isEqualTo(EACH);
    assertThat(numbers(viewer, alphaName)).isEqualTo(range(1, EACH));
  }

  @Test
  void aViewerLimitedToOneActorResumingFromAMessageIdOnlyTheStreamKeepsGetsOnlyThatActorsReplies() {
    List<JsonNode> everything = bothActorsPublishIntoTheStream();
    // Alpha's first reply: 19 replies came after it, the ring keeps 5.
    String first =
        everything.stream()
            .filter(f -> sender(f).equals(alphaName) && f.path("body").path("n").asInt() == 1)
            .findFirst()
            .orElseThrow()
            .path("message_id")
            .asText();

    WsClient operator = client(OPERATOR_TOKEN, "?since=" + first);
    WsClient viewer = client(VIEWER_TOKEN, "?since=" + first);
    JsonNode operatorNotice = awaitReplayNotice(operator);
    JsonNode viewerNotice = awaitReplayNotice(viewer);
    alpha.broadcast(Map.of("after", "resume"));
    viewer.awaitFrame(f -> f.path("body").path("after").asText().equals("resume"));

    assertThat(operatorNotice.path("body").path("replay").asText()).isEqualTo("complete");
    assertThat(operatorNotice.path("body").path("from_history").asInt()).isPositive();
    assertThat(numbers(operator, betaName)).isEqualTo(range(1, EACH));
    assertThat(numbers(operator, alphaName)).isEqualTo(range(2, EACH));

    assertThat(betaFrames(viewer)).isEmpty();
    assertThat(viewerNotice.path("body").path("replay").asText()).isEqualTo("complete");
    assertThat(viewerNotice.path("body").path("from_history").asInt()).isPositive();
    assertThat(viewerNotice.path("body").path("replayed").asInt()).isEqualTo(EACH - 1);
    assertThat(numbers(viewer, alphaName)).isEqualTo(range(2, EACH));
  }

  private static List<Integer> concat(List<Integer> a, List<Integer> b) {
    List<Integer> both = new ArrayList<>(a);
    both.addAll(b);
    return both;
  }
}
