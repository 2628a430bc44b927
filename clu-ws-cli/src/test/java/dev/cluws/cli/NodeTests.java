package dev.cluws.cli;

import static org.assertj.core.api.Assertions.fail;

import dev.cluws.testkit.CluTestActor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the JavaScript client's tests ({@code clients/js}) with Node against a gateway started by
 * the test. Node, Chromium and playwright-core are optional on a developer's machine: without them
 * the tests are skipped with a message saying what is missing, unless {@code
 * CLU_WS_REQUIRE_BROWSER=1} (set by {@code .ci/run}), which turns a missing tool into a failure.
 */
final class NodeTests {
  /** The JavaScript client's folder; the integration tests run in {@code clu-ws-cli}. */
  static final Path CLIENT_DIR = Path.of("..", "clients", "js").toAbsolutePath().normalize();

  private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\.\\d+");

  private NodeTests() {}

  /** Whether a missing tool fails the test instead of skipping it. */
  static boolean required() {
    return "1".equals(System.getenv("CLU_WS_REQUIRE_BROWSER"));
  }

  /** Skips the test (or fails it when the tools are required) unless {@code present}. */
  static void need(boolean present, String missing) {
    if (present) {
      return;
    }
    String message =
        missing + " (CLU_WS_REQUIRE_BROWSER=1 makes this a failure; .ci/run installs it)";
    if (required()) {
      fail(message);
    }
    VisibleSkip.skip(message);
  }

  /**
   * The command that starts Node 20.10 or newer with a global WebSocket ({@code
   * --experimental-websocket} on Node 20 and 21), after skipping the test when there is none.
   */
  static List<String> node() {
    String version = null;
    try {
      Process process = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      if (process.waitFor(30, TimeUnit.SECONDS)) {
        version =
            new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      } else {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      version = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    need(version != null, "no 'node' on the PATH: the JavaScript client tests need Node 20.10+");
    Matcher matcher = VERSION.matcher(version);
    need(matcher.find(), "could not read the Node version from '" + version + "'");
    int major = Integer.parseInt(matcher.group(1));
    int minor = Integer.parseInt(matcher.group(2));
    need(
        major > 20 || (major == 20 && minor >= 10),
        "Node " + version + " is too old: the JavaScript client tests need Node 20.10+");
    List<String> command = new ArrayList<>(List.of("node"));
    if (major < 22) {
      command.add("--experimental-websocket");
    }
    return command;
  }

  /** The test files in a folder of the client ({@code *.test.js}), sorted. */
  static List<String> testFiles(String folder) throws IOException {
    try (var files = Files.list(CLIENT_DIR.resolve(folder))) {
      return files
          .map(p -> CLIENT_DIR.relativize(p).toString())
          .filter(name -> name.endsWith(".test.js"))
          .sorted()
          .toList();
    }
  }

  /** What a Node run printed and how it ended. */
  record Run(int exitCode, String output) {}

  /**
   * Runs {@code command} in the client folder with {@code env} added, its output (stdout and
   * stderr) saved to {@code log}; fails the test when it runs longer than {@code timeout}.
   */
  static Run run(List<String> command, Map<String, String> env, Duration timeout, Path log)
      throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(CLIENT_DIR.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      fail(
          "'"
              + String.join(" ", command)
              + "' did not finish within "
              + timeout.toSeconds()
              + " s; its output:\n"
              + Files.readString(log, StandardCharsets.UTF_8));
    }
    return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  /**
   * Makes {@code actor} broadcast {@code {"heartbeat": n}} every 200 ms (at most 1,500 times, five
   * minutes) until closed, as a real actor broadcasts its status.
   */
  static AutoCloseable heartbeat(CluTestActor actor) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "heartbeat-" + actor.name());
              thread.setDaemon(true);
              return thread;
            });
    AtomicInteger beats = new AtomicInteger();
    timer.scheduleAtFixedRate(
        () -> {
          int n = beats.incrementAndGet();
          if (n > 1500) {
            timer.shutdown();
            return;
          }
          try {
            actor.broadcast(Map.of("heartbeat", n));
          } catch (RuntimeException e) {
            // the actor is closing; the next beat or close() ends this
          }
        },
        0,
        200,
        TimeUnit.MILLISECONDS);
    return () -> {
      timer.shutdownNow();
      timer.awaitTermination(5, TimeUnit.SECONDS);
    };
  }
}
