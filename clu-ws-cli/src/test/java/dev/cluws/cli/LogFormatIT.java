package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The distribution's log output ({@code target/clu-ws/bin/clu-ws}): readable text, or JSON. */
class LogFormatIT {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Pattern TEXT_LINE =
      Pattern.compile(
          "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO |WARN |ERROR)"
              + " \\[[^\\]]+\\] [\\w.$]+ - .*");

  @Test
  void byDefaultEveryLineIsReadableTextWithTimeLevelThreadLoggerAndMessage() throws Exception {
    List<String> lines = run(Map.of());

    assertThat(lines).isNotEmpty().allMatch(line -> TEXT_LINE.matcher(line).matches());
    assertThat(lines)
        .anyMatch(line -> line.contains(" INFO  [main] dev.cluws.cli.Main - clu-ws "))
        .anyMatch(line -> line.contains(" dev.cluws.audit - ") && line.contains("log-it-1"));
  }

  @Test
  void withCluWsLogFormatJsonEveryLineIsAJsonObjectWithTheEventsFields() throws Exception {
    List<String> lines = run(Map.of("CLU_WS_LOG_FORMAT", "json"));

    List<JsonNode> events = parseEach(lines);
    assertThat(events)
        .allSatisfy(
            event -> {
              assertThat(event.path("timestamp").isIntegralNumber()).isTrue();
              assertThat(event.path("level").asText()).isIn("DEBUG", "INFO", "WARN", "ERROR");
              assertThat(event.path("threadName").asText()).isNotEmpty();
              assertThat(event.path("loggerName").asText()).isNotEmpty();
              assertThat(event.has("formattedMessage")).isTrue();
              assertThat(event.has("mdc")).isTrue();
              assertThat(event.has("throwable")).isTrue();
            });
    assertThat(events)
        .anyMatch(
            e ->
                e.path("loggerName").asText().equals("dev.cluws.cli.Main")
                    && e.path("formattedMessage").asText().contains("listening on"))
        .anyMatch(
            e ->
                e.path("loggerName").asText().equals("dev.cluws.audit")
                    && e.path("formattedMessage").asText().contains("command_id=log-it-1"));
  }

  @Test
  void theLogFormatOptionSwitchesToJsonAfterTheCommandLineIsRead() throws Exception {
    List<String> lines = run(Map.of(), "--log-format", "json");

    assertThat(parseEach(lines))
        .anyMatch(e -> e.path("formattedMessage").asText().contains("listening on"));
  }

  @Test
  void cluWsLogLevelStillSetsTheLevelInJson() throws Exception {
    List<String> lines = run(Map.of("CLU_WS_LOG_FORMAT", "json", "CLU_WS_LOG_LEVEL", "DEBUG"));

    assertThat(parseEach(lines))
        .anyMatch(
            e ->
                e.path("level").asText().equals("DEBUG")
                    && e.path("loggerName").asText().startsWith("dev.cluws"));
  }

  private static List<JsonNode> parseEach(List<String> lines) {
    assertThat(lines).isNotEmpty();
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      try {
        JsonNode event = MAPPER.readTree(line);
        assertThat(event.isObject()).as("a JSON object: %s", line).isTrue();
        events.add(event);
      } catch (IOException e) {
        throw new AssertionError("not a JSON line: " + line, e);
      }
    }
    return events;
  }

  /**
   * Runs the command with these variables and options until it serves, sends one command (so an
   * audit line is written), stops it with SIGTERM, and returns every line it wrote.
   */
  private static List<String> run(Map<String, String> environment, String... options)
      throws Exception {
    try (Distribution clu = Distribution.start(environment, options)) {
      try (WsClient client = WsClient.connect(clu.uri())) {
        client.send(
            "{\"consumer\": \"nobody\", \"command_string\": \"ping\","
                + " \"command_id\": \"log-it-1\"}");
        client.awaitFinished("log-it-1");
      }
      return clu.stop();
    }
  }
}
