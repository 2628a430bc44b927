package dev.cluws.bench.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same paced replies as a gateway run, received by K plain AMQP consumers instead of K
 * websocket clients: each consumer on its own connection and its own queue bound to {@code
 * reply.#}, so the broker does the fan-out (issue 12's table measured its "plain AMQP consumer"
 * column for 100 clients this way, with 100 queues). No gateway runs meanwhile; the publisher, its
 * rate, the warm-up and the latency measure (receive time minus the send time in the body, every
 * consumer's replies in one histogram) are those of {@link FanoutRun}.
 */
final class PlainFanoutRun {
  private static final Logger log = LoggerFactory.getLogger(PlainFanoutRun.class);

  /** The consumers' latency and what they received. */
  record Outcome(Histogram latency, long received, long lost, FanoutRun.End end) {}

  private PlainFanoutRun() {}

  /**
   * Runs it as scenario {@code scenario}: emits its JSON line and summary row, or the failure;
   * returns the outcome, or {@code null} when the run failed.
   */
  static Outcome runAndEmit(
      Bench bench, String scenario, int consumers, int replies, double rate, int warmup) {
    ObjectNode record = bench.record(scenario);
    Outcome plain;
    try {
      plain =
          run(
              bench,
              scenario + "-k" + consumers,
              consumers,
              replies,
              rate,
              warmup,
              (ObjectNode) record.get("params"),
              (ObjectNode) record.get("results"));
    } catch (RuntimeException e) {
      LoadTool.Suite.failed(bench, record, e);
      return null;
    }
    ObjectNode cpu = (ObjectNode) record.get("results").get("cpu");
    bench.emit(
        record,
        List.of(
            new SummaryRow(
                scenario,
                "K="
                    + consumers
                    + " plain consumers M="
                    + replies
                    + " rate="
                    + Format.rateOption(rate),
                "-",
                "-",
                plain.lost() + " lost",
                plain.latency().count() > 0 ? Format.latency(plain.latency()) : "-",
                "-",
                "-",
                Format.cpuNote(cpu))));
    return plain;
  }

  static Outcome run(
      Bench bench,
      String runName,
      int consumers,
      int replies,
      double rate,
      int warmup,
      ObjectNode params,
      ObjectNode results) {
    params.put("plain_consumers", consumers);
    params.put("replies", replies);
    params.put("rate", rate > 0 ? Double.toString(rate) : "max");
    params.put("warmup_replies", warmup);
    String exchange = bench.uniqueName(runName) + "-ex";
    params.put("exchange", exchange);
    long deadline = System.nanoTime() + bench.timeout().toNanos();
    List<BaselineConsumer> plain = new ArrayList<>();
    try {
      for (int i = 0; i < consumers; i++) {
        plain.add(BaselineConsumer.start(bench.broker(), exchange, replies));
      }
      try (ReplyPublisher publisher =
          new ReplyPublisher(bench.broker(), exchange, bench.options().confirmWindow)) {
        log.info("{}: {} plain consumers; warming up with {} replies", runName, consumers, warmup);
        List<ReceiveStats> stats = plain.stream().map(BaselineConsumer::stats).toList();
        if (warmup > 0) {
          publisher.publishWarmup(0, warmup, rate, deadline);
          if (FanoutRun.awaitCounts(
                  bench, stats, ReceiveStats::warmupSeen, warmup - 1L, deadline, () -> {})
              != FanoutRun.End.COMPLETE) {
            throw new IllegalStateException("warm-up did not reach every plain consumer");
          }
        }
        CpuSnapshot start = CpuSnapshot.take(OptionalLong.empty(), bench.brokerPid());
        log.info("{}: publishing {} replies at {}", runName, replies, Format.rateOption(rate));
        ReplyPublisher.Result published = publisher.publish(replies, false, rate, deadline);
        FanoutRun.End end =
            FanoutRun.awaitCounts(
                bench, stats, ReceiveStats::received, replies, deadline, () -> {});
        CpuSnapshot stop = CpuSnapshot.take(OptionalLong.empty(), bench.brokerPid());

        Histogram latency = new Histogram();
        long received = 0;
        long lost = 0;
        for (BaselineConsumer consumer : plain) {
          ReceiveStats s = consumer.stats();
          latency.add(s.latency());
          received += s.received();
          lost += s.lost();
        }
        results.put("end", end.name().toLowerCase(java.util.Locale.ROOT));
        ObjectNode pub = results.putObject("publisher");
        pub.put("kind", "clu-ws-load");
        pub.put("published", published.published());
        pub.put("rate", Format.rate(published.rate()));
        ObjectNode out = results.putObject("plain_consumers");
        out.put("consumers", consumers);
        out.put("received", received);
        out.put("lost", lost);
        Format.latency(out.putObject("latency"), latency);
        start.writeCores(stop, results.putObject("cpu"));
        return new Outcome(latency, received, lost, end);
      }
    } finally {
      plain.forEach(BaselineConsumer::close);
    }
  }
}
