package dev.cluws.bench.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.cluws.amqp.history.HistorySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a history stream costs the broker, with no gateway at all: the same RabbitMQ PerfTest flood
 * as target 1, received by two plain AMQP consumers, in three layouts of the broker:
 *
 * <ul>
 *   <li>{@link Layout#QUEUES}: each consumer on a queue of its own bound to {@code reply.#} (a
 *       plain consumer and a gateway without {@code --history-stream});
 *   <li>{@link Layout#QUEUES_AND_STREAM}: the same, and a stream bound to the exchange as {@code
 *       --history-stream} binds it, read by nobody (a gateway with a history today);
 *   <li>{@link Layout#QUEUE_AND_STREAM_READER}: the second consumer reads its live replies from the
 *       stream ({@code x-stream-offset: next}, prefetch 1000, acknowledged every 500) instead of a
 *       queue of its own (the design where gateways take live replies from the shared stream).
 * </ul>
 *
 * <p>Both consumers read every reply; a layout's ceiling is what they receive per second. Every
 * queue, stream and exchange is deleted at the end of its run.
 */
final class StreamCostRun {
  private static final Logger log = LoggerFactory.getLogger(StreamCostRun.class);

  enum Layout {
    QUEUES("two queues"),
    QUEUES_AND_STREAM("two queues + stream"),
    QUEUE_AND_STREAM_READER("one queue + stream read live");

    final String label;

    Layout(String label) {
      this.label = label;
    }

    String key() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private StreamCostRun() {}

  /** Runs one layout; fills the record's params and results; returns its summary row. */
  static SummaryRow run(
      Bench bench, Layout layout, int replies, ObjectNode params, ObjectNode results) {
    String exchange = bench.uniqueName("stream-cost-" + layout.key()) + "-ex";
    String stream = exchange + "-stream";
    params.put("layout", layout.key());
    params.put("replies", replies);
    params.put("exchange", exchange);
    params.put("publisher", "perftest");
    long deadline = System.nanoTime() + bench.timeout().toNanos();
    boolean withStream = layout != Layout.QUEUES;
    try (Connection admin = bench.broker().connect("clu-ws-load stream-cost");
        BaselineConsumer plain = BaselineConsumer.start(bench.broker(), exchange, replies, true)) {
      try {
        if (withStream) {
          Channel channel = admin.createChannel();
          channel.queueDeclare(
              stream, true, false, false, HistorySettings.named(stream).streamArguments());
          channel.queueBind(stream, exchange, "reply.#");
        }
        try (BaselineConsumer second =
            layout == Layout.QUEUE_AND_STREAM_READER
                ? BaselineConsumer.startOnStream(bench.broker(), stream, replies)
                : BaselineConsumer.start(bench.broker(), exchange, replies, true)) {
          List<ReceiveStats> stats = List.of(plain.stats(), second.stats());
          CpuSnapshot start = CpuSnapshot.take(OptionalLong.empty(), bench.brokerPid());
          log.info("stream-cost {}: publishing {} replies with PerfTest", layout.key(), replies);
          PerfTestPublisher.Result perfTest =
              PerfTestPublisher.publish(
                  bench.broker(),
                  bench.perfTestClasspath(),
                  exchange,
                  bench.perfTestBody(),
                  replies,
                  deadline);
          FanoutRun.End end =
              FanoutRun.awaitCounts(
                  bench, stats, ReceiveStats::received, replies, deadline, () -> {});
          CpuSnapshot stop = CpuSnapshot.take(OptionalLong.empty(), bench.brokerPid());
          return report(layout, replies, perfTest, end, stats, start, stop, results);
        }
      } finally {
        if (withStream) {
          deleteQuietly(admin, stream);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SummaryRow report(
      Layout layout,
      int replies,
      PerfTestPublisher.Result perfTest,
      FanoutRun.End end,
      List<ReceiveStats> stats,
      CpuSnapshot start,
      CpuSnapshot stop,
      ObjectNode results) {
    results.put("end", end.name().toLowerCase(Locale.ROOT));
    ObjectNode pub = results.putObject("publisher");
    pub.put("kind", "perftest");
    pub.put("exit_status", perfTest.exitStatus());
    pub.put("rate", Format.rate(perfTest.averageRate()));
    pub.put("command", String.join(" ", perfTest.command()));
    double plainRate = stats.get(0).rate();
    double secondRate = stats.get(1).rate();
    results.put("plain_consumer_rate", Format.rate(plainRate));
    results.put("second_consumer_rate", Format.rate(secondRate));
    results.put("plain_consumer_received", stats.get(0).received());
    results.put("second_consumer_received", stats.get(1).received());
    pub.put(
        "outran_both_consumers", FanoutRun.outran(perfTest.averageRate(), plainRate, secondRate));
    start.writeCores(stop, results.putObject("cpu"));
    ObjectNode cpu = (ObjectNode) results.get("cpu");
    return new SummaryRow(
        "stream-cost",
        layout.label + ", M=" + replies + " (PerfTest)",
        String.format(Locale.ROOT, "%,.0f / %,.0f", plainRate, secondRate),
        "-",
        (replies - stats.get(0).received())
            + " / "
            + (replies - stats.get(1).received())
            + " missing",
        "-",
        "-",
        "-",
        "publisher " + Format.rate(perfTest.averageRate()) + "/s; " + Format.cpuNote(cpu));
  }

  private static void deleteQuietly(Connection admin, String stream) {
    if (!admin.isOpen()) {
      return;
    }
    try (Channel ch = admin.createChannel()) {
      ch.queueDelete(stream);
    } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
      log.warn("could not delete stream {}: {}", stream, e.toString());
    }
  }
}
