package dev.cluws.bench.load;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes CLU-shaped replies with RabbitMQ PerfTest 2.22.1 (issue 12's publisher), run as a child
 * JVM on its own class path (the distribution's {@code perftest/} directory), with exactly the
 * issue's parameters: one producer, no consumer, confirms with 1000 in flight, routing key {@code
 * reply.broadcast}, headers {@code message_code=i,sender=bench,internal=false}, {@code text/json}.
 *
 * <p>PerfTest would declare its {@code -e} exchange durable; {@code -p} (predeclared) makes it use
 * the run's exchange as it is (the gateway's and the consumers' non-durable, auto-delete topic
 * exchange), so nothing stays on the broker. Its bodies carry no send time (PerfTest puts a
 * timestamp only in its own binary format), so PerfTest runs measure rates, not latency.
 */
final class PerfTestPublisher {
  private static final Logger log = LoggerFactory.getLogger(PerfTestPublisher.class);

  /**
   * The sender header PerfTest's replies carry; consumers count the frames and messages with it.
   */
  static final String SENDER = "bench";

  private static final Pattern AVG = Pattern.compile("sending rate avg: (\\d+) msg/s");
  private static final Pattern SENT = Pattern.compile("sent: (\\d+) msg/s");
  private static final Pattern NACKED = Pattern.compile("nacked: (\\d+) msg/s");

  /** What a PerfTest run did: its exit status, its own sending rate, its CPU, its output file. */
  record Result(
      int exitStatus,
      boolean finished,
      double averageRate,
      double peakSecondRate,
      boolean nacked,
      double cores,
      double wallSeconds,
      List<String> command,
      Path output) {}

  /**
   * What PerfTest printed: its average sending rate (-1 if it printed none), its best one-second
   * sending rate, and whether any second had nacks.
   */
  record Report(double averageRate, double peakSecondRate, boolean nacked) {}

  private PerfTestPublisher() {}

  /** Reads PerfTest's per-second lines and its final summary. */
  static Report parse(String output) {
    double avg = -1;
    Matcher m = AVG.matcher(output);
    if (m.find()) {
      avg = Double.parseDouble(m.group(1));
    }
    double peak = 0;
    Matcher s = SENT.matcher(output);
    while (s.find()) {
      peak = Math.max(peak, Double.parseDouble(s.group(1)));
    }
    boolean nacked = false;
    Matcher n = NACKED.matcher(output);
    while (n.find()) {
      nacked |= Long.parseLong(n.group(1)) > 0;
    }
    return new Report(avg, peak, nacked);
  }

  /** The class path of PerfTest: {@code --perftest-classpath}, else the distribution's. */
  static String classpath(String option) {
    if (option != null) {
      return option;
    }
    String home = System.getProperty("app.home");
    Path dir =
        home != null
            ? Path.of(home, "perftest")
            : Path.of("target", "clu-ws-bench", "perftest"); // in the module's tests
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(
          "PerfTest not found in "
              + dir.toAbsolutePath()
              + " (built by mvn package into target/clu-ws-bench/perftest); or give"
              + " --perftest-classpath");
    }
    return dir.toAbsolutePath() + File.separator + "*";
  }

  /** A body of about {@code bytes} bytes of JSON, like a CLU reply's text keyword. */
  static Path writeBody(int bytes) {
    StringBuilder sb = new StringBuilder("{\"text\": \"");
    while (sb.length() < bytes - 2) {
      sb.append('x');
    }
    sb.append("\"}");
    try {
      Path file = Files.createTempFile("clu-ws-load-body-", ".json");
      file.toFile().deleteOnExit();
      Files.writeString(file, sb, StandardCharsets.US_ASCII);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs PerfTest until it has published and had confirmed {@code count} replies on {@code
   * exchange} (or its own 120 s bound, or {@code deadlineNanos}, passes); returns what it reported.
   */
  static Result publish(
      BrokerSettings broker,
      String classpath,
      String exchange,
      Path body,
      int count,
      long deadlineNanos) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-cp",
            classpath,
            "com.rabbitmq.perf.PerfTest",
            "-h",
            "amqp://"
                + broker.user()
                + ":"
                + broker.password()
                + "@"
                + broker.host()
                + ":"
                + broker.port(),
            "-x",
            "1",
            "-y",
            "0",
            "-e",
            exchange,
            "-t",
            "topic",
            "-p",
            "-k",
            BenchMessages.BROADCAST,
            "-B",
            body.toString(),
            "-T",
            "text/json",
            "-mp",
            "message_code=i,sender=" + SENDER + ",internal=false",
            "-c",
            "1000",
            "-C",
            Integer.toString(count),
            "-z",
            "120"));
    Path output;
    try {
      output = Files.createTempFile("clu-ws-load-perftest-", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(output.toFile()));
    long start = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start PerfTest", e);
    }
    long pid = process.pid();
    long cpu = 0;
    boolean finished = false;
    try {
      // Polls its CPU time while it runs (a process that has exited has none to read).
      while (System.nanoTime() < deadlineNanos) {
        if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
          finished = true;
          break;
        }
        long now = ProcStats.cpuNanos(pid);
        if (now > 0) {
          cpu = now;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted", e);
    }
    if (!finished) {
      log.warn("PerfTest did not finish before the run's time bound; stopping it");
      process.destroyForcibly();
    }
    long wall = System.nanoTime() - start;
    String text;
    try {
      text = Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      text = "";
    }
    Report report = parse(text);
    double avg = report.averageRate();
    double peak = report.peakSecondRate();
    boolean nacked = report.nacked();
    int status = finished ? process.exitValue() : -1;
    if (status != 0 || avg < 0) {
      log.warn("PerfTest exited with status {}; its output is in {}", status, output);
    } else {
      log.info("PerfTest published at {} msg/s on average", Format.num(avg));
    }
    // The command without the password.
    List<String> shown = new ArrayList<>(command);
    int h = shown.indexOf("-h");
    shown.set(h + 1, "amqp://" + broker.user() + ":***@" + broker.host() + ":" + broker.port());
    return new Result(
        status,
        finished,
        avg,
        peak,
        nacked,
        wall > 0 ? CpuSnapshot.round(cpu / (double) wall, 2) : -1,
        CpuSnapshot.round(wall / 1e9, 2),
        List.copyOf(shown),
        output);
  }
}
