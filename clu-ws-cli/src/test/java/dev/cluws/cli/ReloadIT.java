package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.LoopbackPorts;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token file and the permissions file are loaded again when they change (and on SIGHUP) without
 * dropping a client: new tokens let new clients in, connected clients stay connected, and their
 * next command follows the new rules. A bad new file is refused with one ERROR and the old one
 * stays in force. Real gateway (started from the options as {@code clu-ws} starts it), real broker,
 * real websockets.
 */
class ReloadIT {
  private static final String RELOAD_LOGGER = "dev.cluws.jetty.reload";
  private static final Duration RELOADED = Duration.ofSeconds(15);

  @TempDir Path dir;

  private final List<AutoCloseable> resources = new ArrayList<>();

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

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(resource);
    return resource;
  }

  private static String token() {
    return "tok-" + UUID.randomUUID();
  }

  private static String ping(String actor, String id) {
    return "{\"consumer\": \""
        + actor
        + "\", \"command_string\": \"ping\", \"command_id\": \""
        + id
        + "\"}";
  }

  private WsClient connect(CliGateway gateway, String token) {
    return keep(
        WsClient.connect(
            gateway.uri(),
            HttpClient.newHttpClient(),
            b -> b.header("Authorization", "Bearer " + token)));
  }

  /** Whether an upgrade with this token is accepted (the websocket is closed again at once). */
  private static boolean accepted(CliGateway gateway, String token) {
    try (WsClient client =
        WsClient.connect(
            gateway.uri(),
            HttpClient.newHttpClient(),
            b -> b.header("Authorization", "Bearer " + token))) {
      return true;
    } catch (IllegalStateException refused) {
      return false;
    }
  }

  private static String code(JsonNode frame) {
    return frame.path("headers").path("message_code").asText();
  }

  // ------------------------------------------------------------------------------------ tokens

  @Test
  void aChangedTokenFileLetsNewTokensInWhileConnectedClientsStayAndGoOn() throws Exception {
    String alice = token();
    String bob = token();
    Path tokens = Files.writeString(dir.resolve("tokens"), alice + " alice operator\n");
    try (LogCapture reloads = LogCapture.of(RELOAD_LOGGER)) {
      CliGateway gateway =
          keep(CliGateway.start("--token-file", tokens.toString(), "--reload-interval", "100ms"));
      CluTestActor actor = keep(CluTestActor.start(gateway.exchange, TestBroker.uniqueName("a")));
      WsClient connected = connect(gateway, alice);

      Files.writeString(tokens, bob + " bob operator\n");

      await().atMost(RELOADED).until(() -> accepted(gateway, bob));
      assertThat(accepted(gateway, alice)).isFalse();
      assertThat(RawHttp.upgrade(gateway.server.port(), "/", "Authorization: Bearer " + alice))
          .startsWith("HTTP/1.1 401")
          .contains("invalid token: unknown token");
      connected.send(ping(actor.name(), "after-reload"));
      assertThat(connected.awaitFinished("after-reload"))
          .last()
          .extracting(ReloadIT::code)
          .isEqualTo(":");
      assertThat(connected.isClosed()).isFalse();
      assertThat(reloads.messages(Level.INFO))
          .anyMatch(m -> m.startsWith("reloaded the token file"));
      assertThat(reloads.messages(Level.ERROR)).isEmpty();
    }
  }

  @Test
  void aBrokenTokenFileIsRefusedWithOneErrorAndTheOldTokensStayInForce() throws Exception {
    String alice = token();
    String carol = token();
    Path tokens = Files.writeString(dir.resolve("tokens"), alice + " alice operator\n");
    try (LogCapture reloads = LogCapture.of(RELOAD_LOGGER)) {
      CliGateway gateway =
          keep(CliGateway.start("--token-file", tokens.toString(), "--reload-interval", "100ms"));
      WsClient connected = connect(gateway, alice);

      Files.writeString(tokens, "# half-edited\n" + alice + " alice operator extra-field\n");

      await().atMost(RELOADED).until(() -> !reloads.messages(Level.ERROR).isEmpty());
      assertThat(reloads.messages(Level.ERROR).get(0))
          .startsWith("reload refused: token file " + tokens + ", line 2: expected")
          .endsWith("stays in force")
          .doesNotContain(alice);
      assertThat(accepted(gateway, alice)).isTrue();

      Files.writeString(tokens, carol + " carol operator\n");

      await().atMost(RELOADED).until(() -> accepted(gateway, carol));
      // Many polls saw the broken file in between: it was reported once.
      assertThat(reloads.messages(Level.ERROR)).hasSize(1);
      assertThat(connected.isClosed()).isFalse();
    }
  }

  @Test
  void theReloadEntryPointOfSighupLoadsTheTokenFileEvenWithoutWatching() throws Exception {
    String alice = token();
    String bob = token();
    Path tokens = Files.writeString(dir.resolve("tokens"), alice + " alice operator\n");
    try (LogCapture reloads = LogCapture.of(RELOAD_LOGGER)) {
      CliGateway gateway =
          keep(CliGateway.start("--token-file", tokens.toString(), "--reload-interval", "0s"));
      Files.writeString(tokens, bob + " bob operator\n");
      assertThat(accepted(gateway, bob)).isFalse(); // nobody watches the file

      assertThat(gateway.reloader.reloadAll().get(10, TimeUnit.SECONDS)).isEqualTo(1);

      assertThat(accepted(gateway, bob)).isTrue();
      assertThat(accepted(gateway, alice)).isFalse();
    }
  }

  // ------------------------------------------------------------------------------- permissions

  private static final String OPERATORS =
      "{\"anonymous_roles\": [\"operator\"], \"roles\": {"
          + "\"operator\": {\"commands\": [{\"name\": \"any\", \"consumers\": [\"*\"]}]},"
          + " \"viewer\": {\"read_only\": true}}}";
  private static final String VIEWERS =
      OPERATORS.replace("[\"operator\"], \"roles\"", "[\"viewer\"], \"roles\"");

  @Test
  void anExistingClientsNextCommandFollowsTheNewPermissions() throws Exception {
    Path rules = Files.writeString(dir.resolve("permissions.json"), OPERATORS);
    try (LogCapture reloads = LogCapture.of(RELOAD_LOGGER)) {
      CliGateway gateway =
          keep(CliGateway.start("--permissions", rules.toString(), "--reload-interval", "100ms"));
      CluTestActor actor = keep(CluTestActor.start(gateway.exchange, TestBroker.uniqueName("a")));
      WsClient client = keep(WsClient.connect(gateway.uri()));
      client.send(ping(actor.name(), "before"));
      assertThat(client.awaitFinished("before")).last().extracting(ReloadIT::code).isEqualTo(":");

      Files.writeString(rules, VIEWERS);
      await()
          .atMost(RELOADED)
          .until(
              () ->
                  reloads.messages().stream()
                      .anyMatch(m -> m.startsWith("reloaded the permissions file")));

      client.send(ping(actor.name(), "after"));
      JsonNode denied = client.awaitFinished("after").get(0);
      assertThat(code(denied)).isEqualTo("f");
      assertThat(denied.path("body").path("error").asText())
          .isEqualTo("command to '" + actor.name() + "' denied by rule 'viewer:read-only'");
      assertThat(actor.received()).hasSize(1); // the denied command never reached the actor
      assertThat(client.isClosed()).isFalse();
      WsClient newcomer = keep(WsClient.connect(gateway.uri()));
      newcomer.send(ping(actor.name(), "newcomer"));
      assertThat(newcomer.awaitFinished("newcomer"))
          .last()
          .extracting(ReloadIT::code)
          .isEqualTo("f");
    }
  }

  @Test
  void aBrokenPermissionsFileIsRefusedWithOneErrorAndTheOldRulesStayInForce() throws Exception {
    Path rules = Files.writeString(dir.resolve("permissions.json"), OPERATORS);
    try (LogCapture reloads = LogCapture.of(RELOAD_LOGGER)) {
      CliGateway gateway =
          keep(CliGateway.start("--permissions", rules.toString(), "--reload-interval", "100ms"));
      CluTestActor actor = keep(CluTestActor.start(gateway.exchange, TestBroker.uniqueName("a")));
      WsClient client = keep(WsClient.connect(gateway.uri()));

      Files.writeString(rules, "{\"anonymous_roles\": [\"viewer\"], \"roles\": {");

      await().atMost(RELOADED).until(() -> !reloads.messages(Level.ERROR).isEmpty());
      client.send(ping(actor.name(), "still-allowed"));
      assertThat(client.awaitFinished("still-allowed"))
          .last()
          .extracting(ReloadIT::code)
          .isEqualTo(":");
      assertThat(reloads.messages(Level.ERROR))
          .singleElement()
          .satisfies(m -> assertThat(m).startsWith("reload refused: ").contains(rules.toString()));

      Files.writeString(rules, VIEWERS);
      await()
          .atMost(RELOADED)
          .until(
              () ->
                  reloads.messages().stream()
                      .anyMatch(m -> m.startsWith("reloaded the permissions file")));
      client.send(ping(actor.name(), "now-denied"));
      assertThat(client.awaitFinished("now-denied"))
          .last()
          .extracting(ReloadIT::code)
          .isEqualTo("f");
      assertThat(reloads.messages(Level.ERROR)).hasSize(1);
    }
  }

  @Test
  void aConnectedClientSeesTheRepliesTheNewPermissionsShowIt() throws Exception {
    String everything =
        "{\"anonymous_roles\": [\"watcher\"], \"roles\": {\"watcher\": {\"read_only\": true}}}";
    Path rules = Files.writeString(dir.resolve("permissions.json"), everything);
    try (LogCapture reloads = LogCapture.of(RELOAD_LOGGER)) {
      CliGateway gateway =
          keep(CliGateway.start("--permissions", rules.toString(), "--reload-interval", "100ms"));
      CluTestActor hidden = keep(CluTestActor.start(gateway.exchange, TestBroker.uniqueName("h")));
      CluTestActor shown = keep(CluTestActor.start(gateway.exchange, TestBroker.uniqueName("s")));
      WsClient client = keep(WsClient.connect(gateway.uri()));
      hidden.broadcast(java.util.Map.of("before", 1));
      client.awaitFrame(f -> f.path("body").has("before"));

      Files.writeString(
          rules,
          everything.replace(
              "\"read_only\": true",
              "\"read_only\": true, \"replies\": [\"" + shown.name() + "\"]"));
      await()
          .atMost(RELOADED)
          .until(
              () ->
                  reloads.messages().stream()
                      .anyMatch(m -> m.startsWith("reloaded the permissions file")));
      hidden.broadcast(java.util.Map.of("after", 2));
      shown.broadcast(java.util.Map.of("marker", 3));

      client.awaitFrame(f -> f.path("body").has("marker"));
      hidden.broadcast(java.util.Map.of("after", 4));
      shown.broadcast(java.util.Map.of("marker", 5));
      client.awaitFrame(f -> f.path("body").path("marker").asInt() == 5);
      assertThat(client.isClosed()).isFalse();
      assertThat(client.frames()).noneMatch(f -> f.path("body").has("after"));
    }
  }

  // ----------------------------------------------------------------------------- SIGHUP, real

  @Test
  void aRealSighupMakesTheDistributionReloadItsTokenFile() throws Exception {
    String alice = token();
    String bob = token();
    Path tokens = Files.writeString(dir.resolve("tokens"), alice + " alice operator\n");
    // As a service manager starts it: SIGHUP at its default, even when this JVM was started with
    // it ignored (a CI under nohup), which the child would inherit.
    try (Distribution clu = startWithTokens(tokens, "--default-signal=HUP")) {
      try (WsClient connected =
          WsClient.connect(
              clu.uri(),
              HttpClient.newHttpClient(),
              b -> b.header("Authorization", "Bearer " + alice))) {
        Files.writeString(tokens, bob + " bob operator\n");

        hangUp(clu.pid());

        try {
          await().atMost(RELOADED).until(() -> clu.logText().contains("reloaded the token file"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          String text = clu.logText();
          throw new AssertionError(
              "no reload within "
                  + RELOADED
                  + " of the SIGHUP; process alive: "
                  + clu.isAlive()
                  + "; its log ends:\n"
                  + text.substring(Math.max(0, text.length() - 3000)),
              e);
        }
        assertThat(clu.isAlive()).isTrue();
        try (WsClient newcomer =
            WsClient.connect(
                clu.uri(),
                HttpClient.newHttpClient(),
                b -> b.header("Authorization", "Bearer " + bob))) {
          assertThat(newcomer.isClosed()).isFalse();
        }
        assertThat(connected.isClosed()).isFalse();
        assertThat(clu.logText()).contains("SIGHUP: reloading [the token file]");
      }
    }
  }

  @Test
  void aDistributionStartedWithSighupIgnoredSaysSoAndASighupLeavesItRunning() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), token() + " alice operator\n");
    // As nohup starts it.
    try (Distribution clu = startWithTokens(tokens, "--ignore-signal=HUP")) {
      assertThat(clu.logText())
          .contains("SIGHUP is ignored by this process", "the files are reloaded when they change");

      hangUp(clu.pid());

      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(clu::isAlive);
      assertThat(LoopbackPorts.listening(clu.port())).isTrue();
      assertThat(clu.logText()).doesNotContain("SIGHUP: reloading");
    }
  }

  /**
   * The assembled distribution ({@code bin/clu-ws}), started through {@code env} with this handling
   * of SIGHUP ({@code --default-signal=HUP} or {@code --ignore-signal=HUP}, GNU coreutils), with a
   * token file that it reloads on SIGHUP only.
   */
  private static Distribution startWithTokens(Path tokens, String hangup) throws IOException {
    return Distribution.start(
        Map.of(),
        List.of("env", hangup),
        "--token-file",
        tokens.toString(),
        "--reload-interval",
        "0s");
  }

  /** Sends SIGHUP to {@code pid} with kill(1), as an operator does. */
  private static void hangUp(long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(pid)).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }
}
