package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client can do to the distribution's log: nothing it sends (command ids, command strings,
 * consumers) forges a log record or writes terminal escapes, in the text and the JSON format, and a
 * client that floods refused commands of 1 MiB writes a few short lines, not the commands.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LogSafetyIT {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  /** A line that would pass for an audit record of another subject's shutdown command. */
  private static final String FAKE_RECORD =
      "2026-12-07 00:00:00.000 INFO  [qtp123-45] dev.cluws.audit - root client=1 consumer=lvmecp"
          + " command_id=z command=\"shutdown\" outcome=forwarded";

  private static final String ESC = "\u001b";

  @TempDir Path dir;

  @Test
  void aCommandIdWithALineBreakAndAFakeRecordWritesOneEscapedAuditLineInText() throws Exception {
    String marker = "forge-" + UUID.randomUUID();
    List<String> lines;
    try (Distribution gateway = Distribution.start(Map.of())) {
      sendForgery(gateway, marker);
      lines = gateway.stop();
    }

    assertThat(lines.stream().filter(line -> line.contains("consumer=lvmecp")))
        .as("the fake record is inside our one audit line, not a line of its own")
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains(" dev.cluws.audit - ")
                    .contains(marker + "\\n2026-12-07 00:00:00.000 INFO"));
    assertThat(lines.stream().filter(line -> line.contains(marker))).hasSize(1);
    assertThat(lines).noneMatch(line -> line.contains(ESC));
    assertThat(String.join("\n", lines)).contains("\\u001b[2J\\u001b[31mping");
  }

  @Test
  void theSameForgeryIsOneAuditEventWithoutLineBreaksOrEscapesInJson() throws Exception {
    String marker = "forge-" + UUID.randomUUID();
    List<String> lines;
    try (Distribution gateway = Distribution.start(Map.of("CLU_WS_LOG_FORMAT", "json"))) {
      sendForgery(gateway, marker);
      lines = gateway.stop();
    }

    List<JsonNode> audit = new ArrayList<>();
    for (String line : lines) {
      if (!line.startsWith("{")) {
        continue; // not an event (LogFormatIT checks that every line is one)
      }
      JsonNode event = MAPPER.readTree(line);
      if (event.path("formattedMessage").asText().contains(marker)) {
        audit.add(event);
      }
    }
    assertThat(audit).hasSize(1);
    String message = audit.get(0).path("formattedMessage").asText();
    assertThat(audit.get(0).path("loggerName").asText()).isEqualTo("dev.cluws.audit");
    assertThat(message)
        .doesNotContain("\n", "\r", ESC)
        .contains(marker + "\\n2026-12-07 00:00:00.000 INFO")
        .contains("\\u001b[2J\\u001b[31mping");
  }

  @Test
  void aReadOnlyClientFloodingMebibyteCommandsIsAnsweredEachTimeButLoggedInAFewShortLines()
      throws Exception {
    String token = "viewer-" + UUID.randomUUID();
    Files.writeString(dir.resolve("tokens"), token + " victor viewer\n");
    Files.writeString(
        dir.resolve("permissions.json"), "{\"roles\": {\"viewer\": {\"read_only\": true}}}\n");
    int commands = 40;
    String huge = "status " + "x".repeat(1_000_000);
    long sent = 0;
    List<String> lines;
    try (Distribution gateway =
        Distribution.start(
            Map.of(),
            "--token-file",
            dir.resolve("tokens").toString(),
            "--permissions",
            dir.resolve("permissions.json").toString(),
            "--command-rate",
            "1",
            "--command-burst",
            "10")) {
      long before = gateway.logBytes();
      try (WsClient viewer =
          WsClient.connect(
              gateway.uri(),
              HttpClient.newHttpClient(),
              b -> b.header("Authorization", "Bearer " + token))) {
        for (int i = 0; i < commands; i++) {
          String frame = command("flood-" + i, "ecp", huge);
          sent += frame.length();
          viewer.send(frame);
        }
        for (int i = 0; i < commands; i++) {
          assertThat(viewer.awaitFinished("flood-" + i))
              .as("command %d is answered", i)
              .anyMatch(f -> f.path("headers").path("message_code").asText().equals("f"));
        }
      }
      lines = gateway.stop();
      long written = gateway.logBytes() - before;

      // 40 MB sent; before the fix, about as much was logged. Now a few lines of at most a few
      // hundred characters each: far below one command's size.
      assertThat(written).as("log bytes written for %d bytes of commands", sent).isLessThan(16_384);
      assertThat(written / commands).isLessThan(huge.length() / 1000);
    }
    List<String> audit =
        lines.stream().filter(line -> line.contains(" dev.cluws.audit - ")).toList();
    assertThat(audit)
        .as("denied and rate-limited commands are each logged once, then counted")
        .hasSizeBetween(2, 6)
        .allMatch(line -> line.length() < 2000)
        .anyMatch(line -> line.contains("denied by") && line.contains(" (1000007 chars)"))
        .anyMatch(line -> line.contains("refused: rate limit"));
    assertThat(String.join("\n", audit)).contains("not logged");
  }

  private static void sendForgery(Distribution gateway, String marker) throws IOException {
    String commandId = marker + "\n" + FAKE_RECORD;
    try (WsClient client = WsClient.connect(gateway.uri())) {
      client.send(command(commandId, "nobody" + ESC + "[0m", ESC + "[2J" + ESC + "[31mping"));
      client.awaitFinished(commandId);
    }
  }

  private static String command(String commandId, String consumer, String commandString)
      throws IOException {
    ObjectNode frame =
        MAPPER
            .createObjectNode()
            .put("consumer", consumer)
            .put("command_string", commandString)
            .put("command_id", commandId);
    return MAPPER.writeValueAsString(frame);
  }
}
