package dev.cluws.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.TestReplies;
import dev.cluws.core.codec.DecodedFrame.CommandFrame;
import dev.cluws.core.codec.DecodedFrame.InvalidFrame;
import dev.cluws.core.codec.DecodedFrame.SnapshotFrame;
import dev.cluws.core.codec.DecodedFrame.SubscribeFrame;
import dev.cluws.core.codec.DecodedFrame.UnsubscribeFrame;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How the codec reads control frames, and that a CLU command frame is never one. */
class ControlFramesTest {
  private final FrameCodec codec = new FrameCodec(TestReplies.MAPPER, "clu-ws-test");

  private DecodedFrame decode(String json) {
    return codec.decode(json.replace('\'', '"'));
  }

  private InvalidFrame invalid(String json) {
    DecodedFrame frame = decode(json);
    assertThat(frame).isInstanceOf(InvalidFrame.class);
    return (InvalidFrame) frame;
  }

  // --- a CLU command frame is never a control frame

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{'consumer': 'lvmecp', 'command_string': 'status'}",
        "{'consumer': 'lvmecp', 'command_string': 'control subscribe', 'command_id': 'c1'}",
        "{'consumer': 'control', 'command_string': 'snapshot'}",
        "{'consumer': 'lvmecp', 'command_string': 'status', 'controls': 'subscribe'}",
        "{'consumer': 'lvmecp', 'command_string': 'status', 'extra': {'control': 'subscribe'}}"
      })
  void aCommandFrameIsDecodedAsACommandWhateverItsStringsSay(String json) {
    assertThat(decode(json)).isInstanceOf(CommandFrame.class);
  }

  @Test
  void aControlFrameWithAConsumerIsRefusedAndNotSent() {
    InvalidFrame frame =
        invalid("{'control': 'subscribe', 'consumer': 'lvmecp', 'command_id': 'x1'}");

    assertThat(frame.error())
        .isEqualTo(
            "a frame with 'control' is a control frame and is never sent to an actor: remove"
                + " 'consumer' and 'command_string', or remove 'control' to send a command");
    assertThat(frame.commandId()).isEqualTo("x1");
  }

  @Test
  void aCommandFrameWithAControlFieldIsRefusedRatherThanSent() {
    InvalidFrame frame =
        invalid(
            "{'consumer': 'lvmecp', 'command_string': 'status', 'control': 'snapshot',"
                + " 'command_id': 'x2'}");

    assertThat(frame.error()).startsWith("a frame with 'control' is a control frame");
    assertThat(frame.commandId()).isEqualTo("x2");
  }

  // --- the action

  @Test
  void aControlThatIsNotAStringNamesTheActionsAndWhatItGot() {
    InvalidFrame frame = invalid("{'control': 3, 'command_id': 'x3'}");

    assertThat(frame.error())
        .isEqualTo(
            "'control' must be one of \"subscribe\", \"unsubscribe\", \"snapshot\", got a number");
    assertThat(frame.commandId()).isEqualTo("x3");
  }

  @Test
  void aNullControlIsRefused() {
    assertThat(invalid("{'control': null, 'command_id': 'x4'}").error()).endsWith("got null");
  }

  @Test
  void anUnknownControlIsNamed() {
    InvalidFrame frame = invalid("{'control': 'subscibe', 'command_id': 'x5'}");

    assertThat(frame.error())
        .isEqualTo(
            "unknown control 'subscibe': expected \"subscribe\", \"unsubscribe\" or \"snapshot\"");
    assertThat(frame.commandId()).isEqualTo("x5");
  }

  @Test
  void aNumericCommandIdIsKeptAsText() {
    DecodedFrame frame = decode("{'control': 'snapshot', 'command_id': 17}");

    assertThat(frame).isEqualTo(new SnapshotFrame("17", List.of()));
  }

  @Test
  void anUnusableCommandIdIsRefusedBeforeTheControl() {
    InvalidFrame frame = invalid("{'control': 'snapshot', 'command_id': [1]}");

    assertThat(frame.error()).isEqualTo("'command_id' must be a string or a number, got an array");
    assertThat(frame.commandId()).isNull();
  }

  // --- subscribe

  @Test
  void subscribeTakesStringsListsBooleansAndNumbersAsValues() {
    DecodedFrame frame =
        decode(
            "{'control': 'subscribe', 'command_id': 's1', 'filters': {'actors': 'lvmecp, lvmnps',"
                + " 'codes': [':f', 'i'], 'own.broadcasts': true, 'limit': 5}}");

    assertThat(frame)
        .isEqualTo(
            new SubscribeFrame(
                "s1",
                Map.of(
                    "actors", List.of("lvmecp", "lvmnps"),
                    "codes", List.of(":f", "i"),
                    "own.broadcasts", List.of("true"),
                    "limit", List.of("5"))));
    assertThat(((SubscribeFrame) frame).parameters().keySet())
        .containsExactly("actors", "codes", "own.broadcasts", "limit");
  }

  @Test
  void subscribeWithoutFiltersSaysWhatItNeeds() {
    InvalidFrame frame = invalid("{'control': 'subscribe', 'command_id': 's2'}");

    assertThat(frame.error())
        .isEqualTo(
            "a subscribe frame needs 'filters', an object of filter names to values, e.g."
                + " {\"control\": \"subscribe\", \"filters\": {\"actors\": \"lvmecp\"}}");
    assertThat(frame.commandId()).isEqualTo("s2");
  }

  @Test
  void subscribeWithEmptyFiltersSaysSo() {
    assertThat(invalid("{'control': 'subscribe', 'filters': {}}").error())
        .endsWith("; got an empty object");
  }

  @Test
  void subscribeWithAListOfFiltersSaysWhatItGot() {
    assertThat(invalid("{'control': 'subscribe', 'filters': ['actors']}").error())
        .endsWith("; got an array");
  }

  @Test
  void subscribeWithAnUnknownFieldNamesItAndTheExpectedOnes() {
    InvalidFrame frame =
        invalid("{'control': 'subscribe', 'command_id': 's3', 'filter': {'actors': 'a'}}");

    assertThat(frame.error())
        .isEqualTo(
            "unknown field 'filter' in a subscribe frame (expected 'control', 'command_id',"
                + " 'filters' and 'own_replies')");
    assertThat(frame.commandId()).isEqualTo("s3");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", ".broadcasts", "own."})
  void subscribeRefusesANameThatIsNoFilterName(String name) {
    InvalidFrame frame =
        invalid("{'control': 'subscribe', 'command_id': 's4', 'filters': {'" + name + "': 'x'}}");

    assertThat(frame.error()).isEqualTo("'" + name + "' is not a filter name");
    assertThat(frame.commandId()).isEqualTo("s4");
  }

  @Test
  void subscribeRefusesAnObjectAsAValue() {
    InvalidFrame frame =
        invalid("{'control': 'subscribe', 'command_id': 's5', 'filters': {'actors': {'a': 1}}}");

    assertThat(frame.error())
        .isEqualTo(
            "filter 'actors': must be a string, a number, a boolean or a list of them, got an"
                + " object");
    assertThat(frame.commandId()).isEqualTo("s5");
  }

  @Test
  void subscribeRefusesNullAsAValue() {
    assertThat(invalid("{'control': 'subscribe', 'filters': {'actors': null}}").error())
        .isEqualTo(
            "filter 'actors': must be a string, a number, a boolean or a list of them, got null");
  }

  @Test
  void subscribeRefusesAListHoldingAList() {
    assertThat(invalid("{'control': 'subscribe', 'filters': {'codes': [':', ['f']]}}").error())
        .isEqualTo(
            "filter 'codes': a list may hold strings, numbers and booleans only, got an array");
  }

  // --- unsubscribe

  @Test
  void unsubscribeWithoutFiltersRemovesEveryFilter() {
    assertThat(decode("{'control': 'unsubscribe', 'command_id': 'u1'}"))
        .isEqualTo(new UnsubscribeFrame("u1", null));
    assertThat(decode("{'control': 'unsubscribe', 'filters': null}"))
        .isEqualTo(new UnsubscribeFrame(null, null));
  }

  @Test
  void unsubscribeNamesFiltersByListOrByString() {
    assertThat(decode("{'control': 'unsubscribe', 'filters': ['actors', 'codes']}"))
        .isEqualTo(new UnsubscribeFrame(null, List.of("actors", "codes")));
    assertThat(decode("{'control': 'unsubscribe', 'filters': 'actors,codes'}"))
        .isEqualTo(new UnsubscribeFrame(null, List.of("actors", "codes")));
  }

  @Test
  void unsubscribeWithAnObjectSaysToGiveAList() {
    InvalidFrame frame =
        invalid("{'control': 'unsubscribe', 'command_id': 'u2', 'filters': {'actors': 'a'}}");

    assertThat(frame.error())
        .isEqualTo(
            "'filters' of an unsubscribe frame must be a list of names; give a list of filter"
                + " names, e.g. [\"actors\"], or leave it out to remove every filter");
    assertThat(frame.commandId()).isEqualTo("u2");
  }

  @Test
  void unsubscribeWithAnEmptyListIsRefusedRatherThanRemovingNothingOrEverything() {
    InvalidFrame frame = invalid("{'control': 'unsubscribe', 'command_id': 'u3', 'filters': []}");

    assertThat(frame.error()).startsWith("'filters' of an unsubscribe frame names no filter;");
    assertThat(frame.commandId()).isEqualTo("u3");
  }

  @Test
  void unsubscribeWithAnUnknownFieldNamesIt() {
    assertThat(invalid("{'control': 'unsubscribe', 'actors': ['a']}").error())
        .isEqualTo(
            "unknown field 'actors' in a unsubscribe frame (expected 'control', 'command_id' and"
                + " 'filters')");
  }

  // --- snapshot

  @Test
  void snapshotWithoutActorsAsksForEveryActor() {
    assertThat(decode("{'control': 'snapshot'}")).isEqualTo(new SnapshotFrame(null, List.of()));
    assertThat(decode("{'control': 'snapshot', 'actors': null, 'command_id': 'n1'}"))
        .isEqualTo(new SnapshotFrame("n1", List.of()));
  }

  @Test
  void snapshotTakesActorNamesAndPatternsAsAListOrAString() {
    assertThat(decode("{'control': 'snapshot', 'actors': ['lvm*', 'jaeger']}"))
        .isEqualTo(new SnapshotFrame(null, List.of("lvm*", "jaeger")));
    assertThat(decode("{'control': 'snapshot', 'actors': 'lvm*,jaeger'}"))
        .isEqualTo(new SnapshotFrame(null, List.of("lvm*", "jaeger")));
  }

  @Test
  void snapshotWithAnEmptyActorListIsRefusedRatherThanTakenForEveryActor() {
    InvalidFrame frame = invalid("{'control': 'snapshot', 'command_id': 'n3', 'actors': ['']}");

    assertThat(frame.error()).startsWith("'actors' names no actor; give names or patterns");
    assertThat(invalid("{'control': 'snapshot', 'actors': ''}").error())
        .startsWith("'actors' names no actor");
  }

  @Test
  void snapshotRefusesAnActorNameWithSpaces() {
    InvalidFrame frame =
        invalid("{'control': 'snapshot', 'command_id': 'n2', 'actors': ['lvm ecp']}");

    assertThat(frame.error()).isEqualTo("'actors': 'lvm ecp' is not an actor name or pattern");
    assertThat(frame.commandId()).isEqualTo("n2");
  }

  @Test
  void snapshotRefusesAnObjectAsActors() {
    InvalidFrame frame = invalid("{'control': 'snapshot', 'command_id': 'n3', 'actors': {}}");

    assertThat(frame.error()).isEqualTo("'actors' must be a list of actor names");
    assertThat(frame.commandId()).isEqualTo("n3");
  }

  @Test
  void snapshotWithAnUnknownFieldNamesIt() {
    InvalidFrame frame = invalid("{'control': 'snapshot', 'command_id': 'n4', 'actor': 'a'}");

    assertThat(frame.error())
        .isEqualTo(
            "unknown field 'actor' in a snapshot frame (expected 'control', 'command_id' and"
                + " 'actors')");
    assertThat(frame.commandId()).isEqualTo("n4");
  }
}
