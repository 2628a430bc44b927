package dev.cluws.core.codec;

import static dev.cluws.core.TestReplies.MAPPER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.codec.DecodedFrame.CommandFrame;
import dev.cluws.core.codec.DecodedFrame.InvalidFrame;
import dev.cluws.core.spi.Command;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FrameCodecDecodeTest {
  private static final String CONSUMER_CHARACTERS =
      "'consumer' must not contain spaces or the routing wildcards '*' and '#'";
  private static final String EMPTY_COMMAND =
      "'command_string' must not be empty (an actor finishes an empty command without any reply)";

  private final FrameCodec codec = new FrameCodec(MAPPER, "clu-ws-test");

  private Command command(String text) {
    DecodedFrame decoded = codec.decode(text);
    assertThat(decoded).isInstanceOf(CommandFrame.class);
    return ((CommandFrame) decoded).command();
  }

  private InvalidFrame invalid(String text) {
    DecodedFrame decoded = codec.decode(text);
    assertThat(decoded).isInstanceOf(InvalidFrame.class);
    return (InvalidFrame) decoded;
  }

  private String error(String text) {
    return invalid(text).error();
  }

  // --- valid commands

  @Test
  void anUnclosedArrayIsReportedWithoutParserInternals() {
    String error = invalid("[[[1, 2").error();

    assertThat(error).startsWith("frame is not valid JSON: Unexpected end-of-input");
    assertThat(error).doesNotContain("Source").doesNotContain("start marker");
  }

  @Test
  void aCompleteCommandFrameBecomesACommand() {
    Command command =
        command(
            "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\":"
                + " \"id-1234\"}");

    assertThat(command).isEqualTo(new Command("lvmecp", "status", "id-1234"));
  }

  @Test
  void theCommandStringIsKeptAsGiven() {
    Command command =
        command("{\"consumer\": \"lvmecp\", \"command_string\": \"  dome open --force \"}");

    assertThat(command.commandString()).isEqualTo("  dome open --force ");
  }

  @Test
  void extraFieldsAreIgnored() {
    Command command =
        command(
            "{\"consumer\": \"lvmecp\", \"command_string\": \"ping\", \"command_id\": \"x\","
                + " \"internal\": true, \"anything\": [1, 2]}");

    assertThat(command).isEqualTo(new Command("lvmecp", "ping", "x"));
  }

  @Test
  void aMissingCommandIdIsGeneratedAsAUuid4String() {
    Command command = command("{\"consumer\": \"lvmecp\", \"command_string\": \"ping\"}");

    UUID id = UUID.fromString(command.commandId());
    assertThat(id.version()).isEqualTo(4);
    assertThat(id.toString()).isEqualTo(command.commandId());
  }

  @Test
  void everyGeneratedCommandIdIsDifferent() {
    String frame = "{\"consumer\": \"lvmecp\", \"command_string\": \"ping\"}";

    assertThat(command(frame).commandId()).isNotEqualTo(command(frame).commandId());
  }

  @Test
  void aNullCommandIdIsGenerated() {
    Command command =
        command("{\"consumer\": \"lvmecp\", \"command_string\": \"ping\", \"command_id\": null}");

    assertThat(UUID.fromString(command.commandId()).version()).isEqualTo(4);
  }

  @Test
  void anEmptyCommandIdIsGenerated() {
    Command command =
        command("{\"consumer\": \"lvmecp\", \"command_string\": \"ping\", \"command_id\": \"\"}");

    assertThat(UUID.fromString(command.commandId()).version()).isEqualTo(4);
  }

  @Test
  void aNumericCommandIdIsSentAsItsStringForm() {
    Command command =
        command("{\"consumer\": \"lvmecp\", \"command_string\": \"ping\", \"command_id\": 42}");

    assertThat(command.commandId()).isEqualTo("42");
  }

  // --- frames that are not JSON objects

  @Test
  void aFrameThatIsNotJsonIsRejected() {
    assertThat(error("{\"consumer\": ")).startsWith("frame is not valid JSON: ");
  }

  @Test
  void aPlainTextFrameIsRejectedAsNotJson() {
    assertThat(error("status")).startsWith("frame is not valid JSON: ");
  }

  @Test
  void aFrameWithContentAfterTheJsonObjectIsRejectedAsNotJson() {
    InvalidFrame invalid =
        invalid(
            "{\"consumer\": \"lvmecp\", \"command_string\": \"ping\"}"
                + "{\"consumer\": \"lvmecp\", \"command_string\": \"shutdown\"}");

    assertThat(invalid.error())
        .isEqualTo(
            "frame is not valid JSON: unexpected content after the JSON value (at column 49)");
  }

  @Test
  void aFrameWithGarbageAfterTheJsonObjectIsRejectedAsNotJson() {
    assertThat(error("{\"consumer\": \"lvmecp\", \"command_string\": \"ping\"} x"))
        .startsWith("frame is not valid JSON: ");
  }

  @Test
  void anEmptyFrameIsRejected() {
    assertThat(error("")).isEqualTo("frame is empty; expected a JSON object");
  }

  @Test
  void aWhitespaceOnlyFrameIsRejectedAsEmpty() {
    assertThat(error(" \n\t ")).isEqualTo("frame is empty; expected a JSON object");
  }

  @Test
  void aJsonArrayIsRejected() {
    assertThat(error("[\"lvmecp\", \"status\"]"))
        .isEqualTo("frame must be a JSON object, got an array");
  }

  @Test
  void aJsonStringIsRejected() {
    assertThat(error("\"status\"")).isEqualTo("frame must be a JSON object, got a string");
  }

  @Test
  void aJsonNullIsRejected() {
    assertThat(error("null")).isEqualTo("frame must be a JSON object, got null");
  }

  @Test
  void aJsonNumberIsRejected() {
    assertThat(error("42")).isEqualTo("frame must be a JSON object, got a number");
  }

  // --- consumer

  @Test
  void aMissingConsumerIsRejected() {
    assertThat(error("{\"command_string\": \"status\"}"))
        .isEqualTo("missing 'consumer' (the actor to command)");
  }

  @Test
  void aNullConsumerIsRejectedAsMissing() {
    assertThat(error("{\"consumer\": null, \"command_string\": \"status\"}"))
        .isEqualTo("missing 'consumer' (the actor to command)");
  }

  @Test
  void aNonStringConsumerIsRejected() {
    assertThat(error("{\"consumer\": 7, \"command_string\": \"status\"}"))
        .isEqualTo("'consumer' must be a string, got a number");
  }

  @Test
  void anEmptyConsumerIsRejected() {
    assertThat(error("{\"consumer\": \"\", \"command_string\": \"status\"}"))
        .isEqualTo("'consumer' must not be empty");
  }

  @Test
  void aBlankConsumerIsRejectedAsEmpty() {
    assertThat(error("{\"consumer\": \"   \", \"command_string\": \"status\"}"))
        .isEqualTo("'consumer' must not be empty");
  }

  @Test
  void aConsumerWithAHashIsRejected() {
    assertThat(error("{\"consumer\": \"lvm#\", \"command_string\": \"status\"}"))
        .isEqualTo(CONSUMER_CHARACTERS);
  }

  @Test
  void aConsumerWithAStarIsRejected() {
    assertThat(error("{\"consumer\": \"lvm*\", \"command_string\": \"status\"}"))
        .isEqualTo(CONSUMER_CHARACTERS);
  }

  @Test
  void aConsumerWithASpaceIsRejected() {
    assertThat(error("{\"consumer\": \"lvm ecp\", \"command_string\": \"status\"}"))
        .isEqualTo(CONSUMER_CHARACTERS);
  }

  // --- command_string

  @Test
  void aMissingCommandStringIsRejected() {
    assertThat(error("{\"consumer\": \"lvmecp\"}"))
        .isEqualTo("missing 'command_string' (the command to run)");
  }

  @Test
  void aNonStringCommandStringIsRejected() {
    assertThat(error("{\"consumer\": \"lvmecp\", \"command_string\": [\"status\"]}"))
        .isEqualTo("'command_string' must be a string, got an array");
  }

  @Test
  void anEmptyCommandStringIsRejected() {
    assertThat(error("{\"consumer\": \"lvmecp\", \"command_string\": \"\"}"))
        .isEqualTo(EMPTY_COMMAND);
  }

  @Test
  void aBlankCommandStringIsRejectedAsEmpty() {
    assertThat(error("{\"consumer\": \"lvmecp\", \"command_string\": \" \\t \"}"))
        .isEqualTo(EMPTY_COMMAND);
  }

  // --- command_id

  @Test
  void anObjectCommandIdIsRejected() {
    assertThat(
            error(
                "{\"consumer\": \"lvmecp\", \"command_string\": \"ping\", \"command_id\": {\"a\":"
                    + " 1}}"))
        .isEqualTo("'command_id' must be a string or a number, got an object");
  }

  @Test
  void aBooleanCommandIdIsRejected() {
    assertThat(
            error("{\"consumer\": \"lvmecp\", \"command_string\": \"ping\", \"command_id\": true}"))
        .isEqualTo("'command_id' must be a string or a number, got a boolean");
  }

  @Test
  void anArrayCommandIdIsRejected() {
    assertThat(
            error("{\"consumer\": \"lvmecp\", \"command_string\": \"ping\", \"command_id\": [1]}"))
        .isEqualTo("'command_id' must be a string or a number, got an array");
  }

  // --- which command id an invalid frame carries

  @Test
  void anInvalidFrameKeepsAUsableCommandId() {
    InvalidFrame invalid =
        invalid(
            "{\"consumer\": \"lvm ecp\", \"command_string\": \"ping\", \"command_id\": \"id-7\"}");

    assertThat(invalid.commandId()).isEqualTo("id-7");
  }

  @Test
  void anInvalidFrameKeepsANumericCommandIdInItsStringForm() {
    InvalidFrame invalid = invalid("{\"consumer\": \"lvmecp\", \"command_id\": 42}");

    assertThat(invalid.commandId()).isEqualTo("42");
  }

  @Test
  void anInvalidFrameWithoutCommandIdGetsNoGeneratedOne() {
    InvalidFrame invalid = invalid("{\"consumer\": \"lvmecp\"}");

    assertThat(invalid.commandId()).isNull();
  }

  @Test
  void anInvalidFrameWithAnUnusableCommandIdCarriesNone() {
    InvalidFrame invalid =
        invalid("{\"consumer\": \"lvmecp\", \"command_string\": \"ping\", \"command_id\": false}");

    assertThat(invalid.commandId()).isNull();
  }
}
