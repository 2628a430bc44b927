package dev.cluws.core;

import static dev.cluws.core.TestFilters.query;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.reply.Subscription;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.FilterContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Subscribe and unsubscribe control frames, the unknown-parameter warning, filter options and
 * filter failures, with an in-memory source and sink and recording transports.
 */
class GatewayControlTest extends InMemoryGatewayTestBase {
  private static final String INSTALLED =
      "(installed: actors, keywords, own, everything, throwing, broken, blocking, probe)";

  private static String sender(JsonNode frame) {
    return frame.path("headers").path("sender").asText();
  }

  /** The senders of the actors' replies the client received, in order. */
  private static List<String> actorSenders(RecordingTransport transport) {
    List<String> senders = new ArrayList<>();
    for (JsonNode frame : transport.json()) {
      if (!NAME.equals(sender(frame))) {
        senders.add(sender(frame));
      }
    }
    return senders;
  }

  private static JsonNode last(RecordingTransport transport) {
    List<JsonNode> frames = transport.json();
    return frames.get(frames.size() - 1);
  }

  private void pushFrom(String... actors) {
    for (String actor : actors) {
      source.push(TestReplies.reply(actor, "i", null, "{\"text\": \"hello\", \"n\": 1}"));
    }
  }

  // --- subscribe and unsubscribe

  @Test
  void aSubscribeFrameChangesWhatTheClientReceivesFromTheNextReplyOn() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);
    pushFrom("lvmecp", "jaeger");

    client.onText(
        "{\"control\": \"subscribe\", \"command_id\": \"s1\", \"filters\": {\"actors\":"
            + " \"lvm*\"}}");
    pushFrom("lvmecp", "jaeger", "lvmnps");

    assertThat(actorSenders(transport)).containsExactly("lvmecp", "jaeger", "lvmecp", "lvmnps");
  }

  @Test
  void aSubscribeFrameIsAnsweredWithTheFiltersNowInEffect() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("keywords=text", transport);

    client.onText(
        "{\"control\": \"subscribe\", \"command_id\": \"s1\","
            + " \"filters\": {\"actors\": [\"lvmecp\", \"lvmnps\"]}}");

    JsonNode answer = transport.json().get(0);
    assertThat(code(answer)).isEqualTo(":");
    assertThat(sender(answer)).isEqualTo(NAME);
    assertThat(answer.path("headers").path("command_id").asText()).isEqualTo("s1");
    assertThat(answer.path("exchange").asText()).isEmpty();
    assertThat(answer.path("routing_key").asText()).isEmpty();
    assertThat(answer.path("body").toString())
        .isEqualTo(
            "{\"control\":\"subscribe\",\"subscription\":{\"keywords\":[\"text\"],"
                + "\"actors\":[\"lvmecp\",\"lvmnps\"]},"
                + "\"text\":\"filters now: keywords=text & actors=lvmecp,lvmnps\"}");
  }

  @Test
  void aControlFrameWithoutCommandIdIsAnsweredWithANullCommandId() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"unsubscribe\"}");

    assertThat(transport.json().get(0).path("headers").path("command_id").isNull()).isTrue();
  }

  @Test
  void subscribingToAFilterAgainReplacesItAndKeepsTheOthers() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvmecp&keywords=text", transport);

    client.onText("{\"control\": \"subscribe\", \"filters\": {\"actors\": \"jaeger\"}}");
    pushFrom("lvmecp", "jaeger");

    assertThat(client.subscription().describeFilters())
        .containsExactly(
            Map.entry("actors", List.of("jaeger")), Map.entry("keywords", List.of("text")));
    assertThat(actorSenders(transport)).containsExactly("jaeger");
    // keywords=text still trims the body
    assertThat(last(transport).path("body").toString()).isEqualTo("{\"text\":\"hello\"}");
  }

  @Test
  void unsubscribeRemovesOnlyTheNamedFilters() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvmecp&keywords=text", transport);

    client.onText(
        "{\"control\": \"unsubscribe\", \"command_id\": \"u1\", \"filters\": [\"keywords\"]}");
    pushFrom("lvmecp", "jaeger");

    assertThat(client.subscription().describeFilters())
        .containsExactly(Map.entry("actors", List.of("lvmecp")));
    assertThat(actorSenders(transport)).containsExactly("lvmecp");
    assertThat(last(transport).path("body").toString()).isEqualTo("{\"text\":\"hello\",\"n\":1}");
    JsonNode answer = transport.json().get(0);
    assertThat(answer.path("body").path("control").asText()).isEqualTo("unsubscribe");
    assertThat(answer.path("headers").path("command_id").asText()).isEqualTo("u1");
  }

  @Test
  void unsubscribeWithoutFiltersBringsBackEveryReply() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvmecp&keywords=text", transport);

    client.onText("{\"control\": \"unsubscribe\", \"command_id\": \"u2\"}");
    pushFrom("lvmecp", "jaeger");

    assertThat(actorSenders(transport)).containsExactly("lvmecp", "jaeger");
    JsonNode answer = transport.json().get(0);
    assertThat(answer.path("body").toString())
        .isEqualTo(
            "{\"control\":\"unsubscribe\",\"subscription\":{},"
                + "\"text\":\"no filters: every reply is delivered\"}");
  }

  @Test
  void unsubscribingAFilterTheClientDoesNotHaveChangesNothingAndSucceeds() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvmecp", transport);

    client.onText("{\"control\": \"unsubscribe\", \"filters\": [\"keywords\"]}");

    assertThat(code(transport.json().get(0))).isEqualTo(":");
    assertThat(client.subscription().describeFilters())
        .containsExactly(Map.entry("actors", List.of("lvmecp")));
  }

  @Test
  void aSubscribeFrameGivesOptionsToItsFilter() {
    ClientConnection client = connect("", RecordingTransport.completingInline());

    client.onText(
        "{\"control\": \"subscribe\", \"filters\":"
            + " {\"probe\": \"x,y\", \"probe.mode\": [\"fast\", \"quiet\"], \"probe.level\": 3}}");

    FilterContext context = filters.probed.get(0);
    assertThat(context.values()).containsExactly("x", "y");
    assertThat(context.options())
        .containsExactly(
            Map.entry("mode", List.of("fast", "quiet")), Map.entry("level", List.of("3")));
    assertThat(context.clientId()).isEqualTo(client.id());
    assertThat(client.subscription().describeFilters())
        .containsExactly(
            Map.entry("probe", List.of("x", "y")),
            Map.entry("probe.mode", List.of("fast", "quiet")),
            Map.entry("probe.level", List.of("3")));
  }

  @Test
  void aFilterSelectedByAnOptionAloneIsDescribedByThatOption() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("probe", transport);

    client.onText("{\"control\": \"subscribe\", \"filters\": {\"probe.broadcasts\": true}}");

    assertThat(client.subscription().describeFilters())
        .containsExactly(Map.entry("probe.broadcasts", List.of("true")));
    assertThat(transport.json().get(0).path("body").path("text").asText())
        .isEqualTo("filters now: probe.broadcasts=true");
  }

  @Test
  void aFilterSelectedWithoutValuesIsStillDescribed() {
    ClientConnection client = connect("probe", RecordingTransport.completingInline());

    assertThat(client.subscription().describeFilters())
        .containsExactly(Map.entry("probe", List.of()));
  }

  @Test
  void anOptionAloneSelectsItsFilterAtConnect() {
    gateway.subscribe(query("probe.mode=fast,quiet"));

    FilterContext context = filters.probed.get(0);
    assertThat(context.values()).isEmpty();
    assertThat(context.options()).containsExactly(Map.entry("mode", List.of("fast", "quiet")));
  }

  // --- refusals leave the subscription as it was

  @Test
  void aFilterThatIsNotInstalledIsRefusedAndNothingChanges() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvmecp", transport);
    Subscription before = client.subscription();

    client.onText(
        "{\"control\": \"subscribe\", \"command_id\": \"s9\","
            + " \"filters\": {\"actors\": \"jaeger\", \"mtach\": \"x\"}}");
    pushFrom("lvmecp", "jaeger");

    JsonNode error = transport.json().get(0);
    assertThat(code(error)).isEqualTo("e");
    assertThat(sender(error)).isEqualTo(NAME);
    assertThat(error.path("headers").path("command_id").asText()).isEqualTo("s9");
    assertThat(error.path("body").path("error").asText())
        .isEqualTo("no filter named 'mtach' is installed " + INSTALLED);
    assertThat(client.subscription()).isSameAs(before);
    assertThat(actorSenders(transport)).containsExactly("lvmecp");
  }

  @ParameterizedTest
  @ValueSource(strings = {"since", "seq", "snapshot", "acks", "token"})
  void aGatewayParameterCannotBeSubscribedToAsAFilter(String name) {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvmecp", transport);
    Subscription before = client.subscription();

    client.onText(
        "{\"control\": \"subscribe\", \"command_id\": \"r1\", \"filters\": {\""
            + name
            + "\": true}}");

    JsonNode error = transport.json().get(0);
    assertThat(code(error)).isEqualTo("e");
    assertThat(error.path("body").path("error").asText())
        .isEqualTo(
            "'" + name + "' is not a filter: it is a connection parameter (give it in the URL)");
    assertThat(client.subscription()).isSameAs(before);
  }

  @Test
  void aGatewayParameterCannotBeUnsubscribed() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvmecp", transport);

    client.onText("{\"control\": \"unsubscribe\", \"filters\": [\"actors\", \"seq\"]}");

    assertThat(transport.json().get(0).path("body").path("error").asText())
        .isEqualTo("'seq' is not a filter: it is a connection parameter (give it in the URL)");
    assertThat(client.subscription().describeFilters()).containsKey("actors");
  }

  @Test
  void unsubscribingAnOptionSaysToNameTheWholeFilter() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("own=true&own.broadcasts=true", transport);

    client.onText("{\"control\": \"unsubscribe\", \"filters\": [\"own.broadcasts\"]}");

    assertThat(transport.json().get(0).path("body").path("error").asText())
        .isEqualTo(
            "'own.broadcasts' is an option of the filter 'own': unsubscribe names whole filters"
                + " (give 'own', or subscribe again with new options)");
    assertThat(client.subscription().describeFilters()).containsKey("own.broadcasts");
  }

  @Test
  void unsubscribingAFilterThatIsNotInstalledIsRefusedAndNothingChanges() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvmecp", transport);

    client.onText(
        "{\"control\": \"unsubscribe\", \"command_id\": \"u9\", \"filters\": [\"actors\","
            + " \"actros\"]}");

    JsonNode error = transport.json().get(0);
    assertThat(error.path("headers").path("command_id").asText()).isEqualTo("u9");
    assertThat(error.path("body").path("error").asText())
        .isEqualTo("no filter named 'actros' is installed " + INSTALLED);
    assertThat(client.subscription().describeFilters()).containsKey("actors");
  }

  @Test
  void invalidValuesAreRefusedWithTheFiltersOwnMessageAndNothingChanges() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvmecp", transport);
    Subscription before = client.subscription();

    client.onText(
        "{\"control\": \"subscribe\", \"command_id\": \"s7\", \"filters\": {\"keywords\": \"text\","
            + " \"actors\": \",\"}}");

    JsonNode error = transport.json().get(0);
    assertThat(error.path("headers").path("command_id").asText()).isEqualTo("s7");
    assertThat(error.path("body").path("error").asText())
        .isEqualTo("invalid parameter 'actors': give at least one actor");
    assertThat(client.subscription()).isSameAs(before);
  }

  @Test
  void aFilterProviderThatFailsIsRefusedWithoutItsInternals() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"subscribe\", \"filters\": {\"broken\": \"on\"}}");

    assertThat(transport.json().get(0).path("body").path("error").asText())
        .isEqualTo("filter 'broken' is not available: it failed on the server");
    assertThat(client.subscription().filters()).isEmpty();
  }

  @Test
  void aMalformedControlFrameGetsAPreciseErrorAndTheConnectionKeepsWorking() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"subscribe\", \"command_id\": \"m1\", \"filters\": []}");
    client.onText(
        "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"c1\"}");
    client.onText("{\"control\": \"subscribe\", \"filters\": {\"actors\": \"lvmecp\"}}");
    pushFrom("jaeger", "lvmecp");

    JsonNode error = transport.json().get(0);
    assertThat(code(error)).isEqualTo("e");
    assertThat(error.path("headers").path("command_id").asText()).isEqualTo("m1");
    assertThat(error.path("body").path("error").asText())
        .startsWith("a subscribe frame needs 'filters'")
        .endsWith("; got an array");
    assertThat(sink.commands()).containsExactly(new Command("lvmecp", "status", "c1"));
    assertThat(actorSenders(transport)).containsExactly("lvmecp");
    assertThat(gateway.stats().invalidFrames.sum()).isEqualTo(1);
  }

  @Test
  void controlFramesAreNeverPublished() {
    ClientConnection client = connect("", RecordingTransport.completingInline());

    client.onText("{\"control\": \"subscribe\", \"filters\": {\"actors\": \"lvmecp\"}}");
    client.onText("{\"control\": \"unsubscribe\"}");
    client.onText("{\"control\": \"snapshot\"}");
    client.onText(
        "{\"control\": \"subscribe\", \"consumer\": \"lvmecp\", \"command_string\": \"x\"}");

    assertThat(sink.commands()).isEmpty();
    assertThat(gateway.stats().commandsReceived.sum()).isZero();
  }

  @Test
  void anotherClientIsNotAffectedByAClientsControlFrames() {
    RecordingTransport changing = RecordingTransport.completingInline();
    RecordingTransport bystander = RecordingTransport.completingInline();
    ClientConnection client = connect("", changing);
    connect("", bystander);

    client.onText("{\"control\": \"subscribe\", \"filters\": {\"actors\": \"lvmecp\"}}");
    client.onText("{\"control\": \"subscribe\", \"filters\": 1}");
    pushFrom("jaeger", "lvmecp");

    assertThat(bystander.json())
        .extracting(GatewayControlTest::sender)
        .containsExactly("jaeger", "lvmecp");
  }

  // --- the access policy's filter stays at the head

  @Test
  void theAccessPolicysFilterStaysFirstWhateverTheClientSubscribesTo() {
    gateway.close();
    gateway = gateway(b -> b, hidingRepliesFrom("secret"));
    RecordingTransport transport = RecordingTransport.completingInline();
    // "everything" accepts every reply: were it before the policy, it would let secrets through.
    ClientConnection client = connect("everything=on", transport);
    pushFrom("secret", "lvmecp");

    client.onText("{\"control\": \"subscribe\", \"filters\": {\"actors\": \"secret,lvmecp\"}}");
    pushFrom("secret", "lvmecp");
    client.onText("{\"control\": \"unsubscribe\", \"filters\": [\"actors\"]}");
    pushFrom("secret", "lvmecp");
    client.onText("{\"control\": \"unsubscribe\"}");
    pushFrom("secret", "lvmecp");
    client.onText("{\"control\": \"subscribe\", \"filters\": {\"everything\": \"on\"}}");
    pushFrom("secret", "lvmecp");

    assertThat(actorSenders(transport))
        .containsExactly("lvmecp", "lvmecp", "lvmecp", "lvmecp", "lvmecp");
    assertThat(client.subscription().describeFilters()).doesNotContainKey("access policy");
  }

  // --- unknown parameters at connect

  @Test
  void aParameterThatNamesNoFilterGetsAWarningAsTheClientsFirstFrame() {
    pushFrom("lvmecp");
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("exmaple=1&actors=lvmecp&snapshot=true&seq=true", transport);
    pushFrom("lvmecp");

    JsonNode first = transport.json().get(0);
    assertThat(code(first)).isEqualTo("w");
    assertThat(sender(first)).isEqualTo(NAME);
    assertThat(first.path("headers").path("command_id").isNull()).isTrue();
    assertThat(first.path("body").path("error").asText())
        .isEqualTo(
            "unknown parameter 'exmaple': no filter of that name is installed "
                + INSTALLED
                + "; it is ignored");
    assertThat(transport.json()).hasSizeGreaterThan(2);
    assertThat(transport.json().subList(1, transport.json().size()))
        .noneMatch(f -> "w".equals(code(f)));
  }

  @Test
  void theWarningComesBeforeTheReplay() {
    pushFrom("lvmecp", "lvmecp");
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("since=0&x=1", transport);

    assertThat(transport.json())
        .extracting(GatewayControlTest::code)
        .containsExactly("w", "i", "i", "i");
    assertThat(actorSenders(transport)).containsExactly("lvmecp", "lvmecp");
  }

  @Test
  void severalUnknownParametersAreNamedInOneWarning() {
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("exmaple=1&actor=lvmecp", transport);

    assertThat(transport.json())
        .singleElement()
        .extracting(f -> f.path("body").path("error").asText())
        .isEqualTo(
            "unknown parameters 'exmaple', 'actor': no filters of those names are installed "
                + INSTALLED
                + "; they are ignored");
  }

  @Test
  void anOptionOfAnUnknownFilterIsNamedAsGiven() {
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("nosuch.opt=1", transport);

    assertThat(transport.json().get(0).path("body").path("error").asText())
        .startsWith("unknown parameter 'nosuch.opt': ");
  }

  @Test
  void gatewayParametersAndInstalledFiltersGetNoWarning() {
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("since=0&seq=false&snapshot=false&acks=true&token=abc&actors=lvmecp", transport);

    assertThat(transport.json()).extracting(GatewayControlTest::code).doesNotContain("w");
  }

  @Test
  void aClientWithoutParametersGetsNothingButReplies() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"consumer\": \"lvmecp\", \"command_string\": \"status\"}");
    sink.lastFuture().complete(dev.cluws.core.spi.CommandOutcome.PUBLISHED);
    pushFrom("lvmecp");

    assertThat(transport.json())
        .singleElement()
        .extracting(GatewayControlTest::sender)
        .isEqualTo("lvmecp");
  }

  // --- filters that fail

  @Test
  void aFilterThatFailsTellsItsClientWhichReplyItMissed() {
    RecordingTransport failing = RecordingTransport.completingInline();
    RecordingTransport bystander = RecordingTransport.completingInline();
    connect("throwing=on", failing);
    connect("", bystander);

    pushFrom("lvmecp");

    JsonNode error = failing.json().get(0);
    assertThat(failing.json()).hasSize(1);
    assertThat(code(error)).isEqualTo("e");
    assertThat(sender(error)).isEqualTo(NAME);
    assertThat(error.path("body").path("error").asText())
        .isEqualTo(
            "filter 'throwing' failed on a reply from lvmecp; the reply was not delivered:"
                + " IllegalStateException: filter bug");
    assertThat(bystander.json()).hasSize(1);
  }

  @Test
  void filterFailuresAreReportedTenTimesThenEveryThousandth() {
    RecordingTransport failing = RecordingTransport.completingInline();
    connect("throwing=on", failing);

    for (int i = 0; i < 1000; i++) {
      pushFrom("lvmecp");
    }

    List<JsonNode> errors = failing.json();
    assertThat(errors).hasSize(11).allMatch(f -> "e".equals(code(f)));
    assertThat(errors.get(9).path("body").path("error").asText())
        .endsWith(" (10 failures so far; only every 1000th is reported from now on)");
    assertThat(gateway.stats().filterErrors.sum()).isEqualTo(1000);
  }

  @Test
  void aFilterThatFailsOnASubscribedChainIsReportedToo() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"subscribe\", \"filters\": {\"throwing\": \"on\"}}");
    pushFrom("jaeger");

    assertThat(last(transport).path("body").path("error").asText())
        .startsWith("filter 'throwing' failed on a reply from jaeger;");
  }
}
