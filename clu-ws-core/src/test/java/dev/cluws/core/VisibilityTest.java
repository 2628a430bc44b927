package dev.cluws.core;

import static dev.cluws.core.TestFilters.query;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.access.RoleBasedAccessPolicy;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.CommandOutcome;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.SourceState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a client's role lets it see, on every path a frame takes to it: live replies, replay,
 * snapshots at connect and on request, acknowledgements, errors and broker status. A viewer limited
 * to actor {@code alpha} never receives a frame of {@code beta}, while an operator does.
 */
class VisibilityTest extends InMemoryGatewayTestBase {
  private static final String POLICY =
      "{\"roles\": {"
          + "\"viewer\": {\"commands\": [{\"consumers\": [\"alpha\"]}], \"replies\": [\"alpha\"]},"
          + "\"operator\": {\"commands\": [{\"consumers\": [\"*\"]}]}}}";

  private static final ClientIdentity VIEWER =
      new ClientIdentity("vera", Set.of("viewer"), "127.0.0.1:1");
  private static final ClientIdentity OPERATOR =
      new ClientIdentity("otto", Set.of("operator"), "127.0.0.1:2");
  private static final ClientIdentity NO_ROLES =
      new ClientIdentity("nina", Set.of(), "127.0.0.1:3");

  @BeforeEach
  void withRoles() {
    gateway.close();
    gateway = gateway(b -> b, RoleBasedAccessPolicy.parse(POLICY));
  }

  private ClientConnection connect(String query, ClientIdentity who, RecordingTransport t) {
    return gateway.connect(gateway.subscribe(query(query), who), t);
  }

  private void pushStatus(String actor, String body) {
    source.push(TestReplies.reply(actor, "i", null, body));
  }

  /** The actors whose data the frames carry (gateway frames left out). */
  private static List<String> actorsIn(RecordingTransport transport) {
    return transport.json().stream()
        .map(f -> f.path("headers").path("sender").asText())
        .filter(sender -> !sender.equals(NAME))
        .toList();
  }

  private static boolean mentions(RecordingTransport transport, String text) {
    return transport.json().stream().anyMatch(f -> f.toString().contains(text));
  }

  /** A reply published to the default exchange straight to the gateway's queue, as the gateway. */
  private static Reply claimingTheGateway(String body) {
    Reply r = TestReplies.reply(NAME, "i", null, body);
    Map<String, Object> headers = new LinkedHashMap<>(r.headers());
    headers.put(Reply.SNAPSHOT, true);
    return new Reply(headers, "", NAME + "_replies", "m-1", null, r.timestamp(), r.body());
  }

  @Test
  void liveRepliesOfAnotherActorNeverReachAViewerButReachAnOperator() {
    RecordingTransport viewer = RecordingTransport.completingInline();
    RecordingTransport operator = RecordingTransport.completingInline();
    connect("", VIEWER, viewer);
    connect("", OPERATOR, operator);

    pushStatus("alpha", "{\"a\": 1}");
    pushStatus("beta", "{\"secret\": \"beta-only-text\"}");

    assertThat(actorsIn(operator)).containsExactly("alpha", "beta");
    assertThat(actorsIn(viewer)).containsExactly("alpha");
    assertThat(mentions(viewer, "beta-only-text")).isFalse();
  }

  @Test
  void aSnapshotAtConnectHoldsOnlyTheActorsTheRoleMaySee() {
    pushStatus("alpha", "{\"a\": 1}");
    pushStatus("beta", "{\"secret\": \"beta-only-text\"}");
    RecordingTransport viewer = RecordingTransport.completingInline();
    RecordingTransport operator = RecordingTransport.completingInline();

    connect("snapshot=true", OPERATOR, operator);
    connect("snapshot=true", VIEWER, viewer);

    assertThat(actorsIn(operator)).containsExactly("alpha", "beta");
    assertThat(actorsIn(viewer)).containsExactly("alpha");
    assertThat(mentions(viewer, "beta-only-text")).isFalse();
    JsonNode done = viewer.json().get(viewer.json().size() - 1);
    assertThat(done.path("body").path("actors").asInt()).isEqualTo(1);
  }

  @Test
  void aSnapshotRequestedLaterHoldsOnlyTheActorsTheRoleMaySeeEvenWhenItNamesAnother() {
    pushStatus("alpha", "{\"a\": 1}");
    pushStatus("beta", "{\"secret\": \"beta-only-text\"}");
    RecordingTransport viewer = RecordingTransport.completingInline();
    RecordingTransport operator = RecordingTransport.completingInline();
    ClientConnection v = connect("", VIEWER, viewer);
    ClientConnection o = connect("", OPERATOR, operator);

    o.onText("{\"control\": \"snapshot\", \"actors\": [\"beta\"], \"command_id\": \"s1\"}");
    v.onText("{\"control\": \"snapshot\", \"command_id\": \"s1\"}");
    v.onText("{\"control\": \"snapshot\", \"actors\": [\"beta\"], \"command_id\": \"s2\"}");

    assertThat(actorsIn(operator)).containsExactly("beta");
    assertThat(actorsIn(viewer)).containsExactly("alpha");
    assertThat(mentions(viewer, "beta-only-text")).isFalse();
    JsonNode last = viewer.json().get(viewer.json().size() - 1);
    assertThat(last.path("headers").path("command_id").asText()).isEqualTo("s2");
    assertThat(last.path("body").path("actors").asInt()).isZero();
  }

  @Test
  void aReplayHoldsOnlyTheActorsTheRoleMaySee() {
    pushStatus("alpha", "{\"a\": 1}");
    pushStatus("beta", "{\"secret\": \"beta-only-text\"}");
    pushStatus("alpha", "{\"a\": 2}");
    RecordingTransport viewer = RecordingTransport.completingInline();
    RecordingTransport operator = RecordingTransport.completingInline();

    connect("since=0", OPERATOR, operator);
    connect("since=0", VIEWER, viewer);

    assertThat(actorsIn(operator)).containsExactly("alpha", "beta", "alpha");
    assertThat(actorsIn(viewer)).containsExactly("alpha", "alpha");
    assertThat(mentions(viewer, "beta-only-text")).isFalse();
  }

  @Test
  void aReplyFromTheBrokerThatClaimsToBeTheGatewaysIsActorDataHiddenFromAViewer() {
    RecordingTransport viewer = RecordingTransport.completingInline();
    RecordingTransport operator = RecordingTransport.completingInline();
    connect("", VIEWER, viewer);
    connect("", OPERATOR, operator);

    source.push(claimingTheGateway("{\"forged\": \"forged-text\"}"));

    assertThat(mentions(operator, "forged-text")).isTrue();
    assertThat(viewer.json()).isEmpty();
  }

  @Test
  void aClientWithoutRolesSeesNoActorsDataOnAnyPathButTheGatewaysOwnFrames() {
    pushStatus("alpha", "{\"a\": 1}");
    RecordingTransport none = RecordingTransport.completingInline();

    ClientConnection client = connect("since=0&snapshot=true", NO_ROLES, none);
    pushStatus("alpha", "{\"a\": 2}");
    client.onText("{\"control\": \"snapshot\"}");
    client.onText("not json");

    assertThat(actorsIn(none)).isEmpty();
    assertThat(none.json())
        .isNotEmpty()
        .allMatch(f -> NAME.equals(f.path("headers").path("sender").asText()));
  }

  @Test
  void theGatewaysOwnFramesReachAViewerWhateverItsFilters() {
    RecordingTransport viewer = RecordingTransport.completingInline();
    ClientConnection client = connect("acks=true&actors=nobody", VIEWER, viewer);

    client.onText("{\"consumer\": \"alpha\", \"command_string\": \"ping\"}");
    sink.lastFuture().complete(CommandOutcome.PUBLISHED);
    client.onText("{\"consumer\": \"beta\", \"command_string\": \"ping\"}");
    source.changeState(SourceState.UP);
    source.changeState(SourceState.DOWN);

    List<String> codes = viewer.json().stream().map(InMemoryGatewayTestBase::code).toList();
    assertThat(codes).containsExactly("i", "f", "w");
  }

  @Test
  void aFilterNeverSeesARepliesTheRoleHidesSoItsFailuresCannotNameIt() {
    RecordingTransport viewer = RecordingTransport.completingInline();
    connect("throwing=on", VIEWER, viewer);

    pushStatus("beta", "{\"secret\": \"beta-only-text\"}");

    assertThat(viewer.json()).isEmpty();
  }
}
