package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cluws.testkit.LoopbackPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real nginx (Debian's package) run by a test as its child process, on a free loopback port, with
 * every file it writes (pid, logs, temporary files) in the test's folder. Without nginx the test is
 * skipped with a message, or fails with {@code CLU_WS_REQUIRE_NGINX=1} (set by {@code .ci/run}).
 */
final class LoopbackNginx implements AutoCloseable {
  private static final Path NGINX = Path.of("/usr/sbin/nginx");

  private final Path dir;
  private final int port;
  private final Process process;

  private LoopbackNginx(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** Skips the calling test (or fails it, where nginx is required) when nginx is missing. */
  static void requireInstalled(String test) {
    if (Files.isExecutable(NGINX)) {
      return;
    }
    String message =
        test + " skipped: no nginx at " + NGINX + " (apt-get install nginx; .ci/run installs it)";
    if ("1".equals(System.getenv("CLU_WS_REQUIRE_NGINX"))) {
      fail(message);
    }
    System.err.println(message);
    Assumptions.abort(message);
  }

  /** A free port on the loopback address for nginx to listen on. */

  /**
   * Starts nginx with the {@code http} block's directives given (as Debian's {@code
   * /etc/nginx/nginx.conf} would surround them, with files in {@code dir}) and waits until it
   * listens on {@code port}, which those directives must make it listen on.
   */
  static LoopbackNginx start(Path dir, int port, String httpDirectives) throws Exception {
    String d = dir.toString();
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "worker_processes 1;",
            "pid " + d + "/nginx.pid;",
            "error_log " + d + "/error.log;",
            "events { worker_connections 64; }",
            "http {",
            "  access_log " + d + "/access.log;",
            "  client_body_temp_path " + d + "/body;",
            "  proxy_temp_path " + d + "/proxy;",
            "  fastcgi_temp_path " + d + "/fastcgi;",
            "  uwsgi_temp_path " + d + "/uwsgi;",
            "  scgi_temp_path " + d + "/scgi;",
            httpDirectives,
            "}",
            ""));
    Process process =
        new ProcessBuilder(
                NGINX.toString(),
                "-p",
                d,
                "-c",
                conf.toString(),
                "-e",
                dir.resolve("error.log").toString(),
                "-g",
                "daemon off;")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nginx.out").toFile())
            .start();
    LoopbackNginx nginx = new LoopbackNginx(dir, port, process);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> LoopbackPorts.listening(port) || !process.isAlive());
    if (!process.isAlive()) {
      String output = nginx.output();
      nginx.close();
      assertThat(false).withFailMessage("nginx did not start:%n%s", output).isTrue();
    }
    return nginx;
  }

  int port() {
    return port;
  }

  /** What nginx printed and logged as errors, for a failure message. */
  String output() {
    StringBuilder text = new StringBuilder();
    for (String file : List.of("nginx.out", "error.log")) {
      try {
        text.append(Files.readString(dir.resolve(file))).append('\n');
      } catch (IOException e) {
        text.append("(no ").append(file).append(")\n");
      }
    }
    return text.toString();
  }

  /** Stops nginx (SIGTERM: its fast shutdown, workers included). */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
