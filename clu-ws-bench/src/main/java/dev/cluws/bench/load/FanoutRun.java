package dev.cluws.bench.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.ToLongFunction;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fan-out run: {@code readers} websocket clients that read (plus {@code silent} ones that never
 * read) and the plain AMQP baseline consumer receive the same {@code replies} bench replies,
 * published at full speed or at a fixed rate after a warm-up. Measures what each received, how
 * fast, how late, and what the gateway spent in CPU and memory meanwhile.
 */
final class FanoutRun {
  private static final Logger log = LoggerFactory.getLogger(FanoutRun.class);

  /** A run's parameters; {@code rate} 0 means as fast as publisher confirms allow. */
  record Params(
      int readers,
      int silent,
      int replies,
      double rate,
      int gatewayWarmup,
      int warmup,
      boolean heap,
      boolean perfTest) {
    /**
     * Replies that warm the gateway's per-reply path up with one client, before the others join.
     */
    static final int DEFAULT_GATEWAY_WARMUP = 30_000;

    Params {
      if (readers < 1 || silent < 0 || replies < 1 || rate < 0 || gatewayWarmup < 0 || warmup < 1) {
        throw new IllegalArgumentException(
            "need at least one reading client, one reply and one warm-up reply");
      }
      if (perfTest && rate > 0) {
        throw new IllegalArgumentException("PerfTest publishes at full speed only");
      }
    }

    /** Published by the tool's own publisher. */
    Params(
        int readers,
        int silent,
        int replies,
        double rate,
        int gatewayWarmup,
        int warmup,
        boolean heap) {
      this(readers, silent, replies, rate, gatewayWarmup, warmup, heap, false);
    }

    /** A warm-up of about 200,000 frames in all, between 200 and 20,000 replies. */
    static int defaultWarmup(int clients) {
      return Math.max(200, Math.min(20_000, 200_000 / Math.max(1, clients)));
    }

    /** {@code warmup} if it was given (above 0), else {@link #defaultWarmup} for the clients. */
    static int warmupOrDefault(int warmup, int clients) {
      return warmup > 0 ? warmup : defaultWarmup(clients);
    }
  }

  /** How a run ended. */
  enum End {
    /** Every consumer received every reply. */
    COMPLETE,
    /** Nothing arrived for the stall time. */
    STALLED,
    /** The run's time bound passed. */
    TIMEOUT
  }

  /**
   * A run's outcome: the JSON params and results, and numbers the callers compare: {@code
   * clientRate} is the median reader's rate, {@code deliveredRate} all readers' frames per second.
   */
  record Outcome(
      ObjectNode params,
      ObjectNode results,
      double clientRate,
      double deliveredRate,
      double baselineRate,
      Histogram latency,
      long lost,
      long duplicates,
      long orderViolations,
      double gatewayCores,
      long peakRss,
      End end,
      double publishRate,
      boolean publisherOutran) {}

  private FanoutRun() {}

  static Outcome run(Bench bench, String runName, Params p, ObjectNode params, ObjectNode results) {
    params.put("clients", p.readers() + p.silent());
    params.put("reading_clients", p.readers());
    params.put("never_reading_clients", p.silent());
    params.put("replies", p.replies());
    params.put("rate", p.rate() > 0 ? Double.toString(p.rate()) : "max");
    params.put("gateway_warmup_replies", p.gatewayWarmup());
    params.put("warmup_replies", p.warmup());
    params.put("confirm_window", bench.options().confirmWindow);
    params.put("publisher", p.perfTest() ? "perftest" : "clu-ws-load");
    params.put("body_bytes", p.perfTest() ? bench.perfTestBodyBytes() : BenchMessages.BODY_BYTES);
    bench.describeGateway(params, List.of());
    long deadline = System.nanoTime() + bench.timeout().toNanos();
    List<ReadingClient> readers = new ArrayList<>();
    for (int i = 0; i < p.readers(); i++) {
      readers.add(new ReadingClient(p.replies(), p.perfTest()));
    }
    List<Session.Listener> listeners = new ArrayList<>(readers);
    for (int i = 0; i < p.silent(); i++) {
      listeners.add(new SilentClient());
    }
    try (GatewayTarget gateway = bench.gateway(runName);
        BaselineConsumer baseline =
            BaselineConsumer.start(bench.broker(), gateway.exchange(), p.replies(), p.perfTest());
        ReplyPublisher publisher =
            new ReplyPublisher(bench.broker(), gateway.exchange(), bench.options().confirmWindow)) {
      OptionalLong pid = gateway.pid();
      params.put("exchange", gateway.exchange());
      List<Session> sessions = new ArrayList<>();
      try {
        int first = 0;
        if (p.gatewayWarmup() > 0) {
          // The per-reply path (parse, encode) compiles with one client, quickly; then the rest
          // join.
          sessions.addAll(
              bench
                  .ws()
                  .connectAll(gateway.uri(), listeners.subList(0, 1), Duration.ofSeconds(30)));
          log.info("{}: warming the gateway up with {} replies", runName, p.gatewayWarmup());
          warmUp(
              bench, readers.subList(0, 1), baseline, publisher, 0, p.gatewayWarmup(), 0, deadline);
          first = 1;
        }
        sessions.addAll(
            bench
                .ws()
                .connectAll(
                    gateway.uri(),
                    listeners.subList(first, listeners.size()),
                    Duration.ofSeconds(120)));
        log.info(
            "{}: {} reading + {} silent websockets open; warming up with {} replies",
            runName,
            p.readers(),
            p.silent(),
            p.warmup());
        warmUp(
            bench, readers, baseline, publisher, p.gatewayWarmup(), p.warmup(), p.rate(), deadline);

        long heapBefore =
            p.heap() && pid.isPresent() ? ProcStats.heapUsedAfterGc(pid.getAsLong()) : -1;
        long rssBefore = pid.isPresent() ? ProcStats.statusBytes(pid.getAsLong(), "VmRSS") : -1;
        if (pid.isPresent()) {
          ProcStats.resetPeakRss(pid.getAsLong());
        }
        CpuSnapshot start = CpuSnapshot.take(pid, bench.brokerPid());
        ThreadCpu threadsStart = ThreadCpu.take(pid);
        log.info(
            "{}: publishing {} replies at {}{}",
            runName,
            p.replies(),
            Format.rateOption(p.rate()),
            p.perfTest() ? " with PerfTest" : "");
        ReplyPublisher.Result published = null;
        PerfTestPublisher.Result perfTest = null;
        if (p.perfTest()) {
          perfTest =
              PerfTestPublisher.publish(
                  bench.broker(),
                  bench.perfTestClasspath(),
                  gateway.exchange(),
                  bench.perfTestBody(),
                  p.replies(),
                  deadline);
        } else {
          published = publisher.publish(p.replies(), false, p.rate(), deadline);
        }
        Await await = awaitAll(bench, readers, baseline, p.replies(), pid, start, deadline);
        ThreadCpu threadsEnd = ThreadCpu.take(pid);
        long peakRss = pid.isPresent() ? ProcStats.statusBytes(pid.getAsLong(), "VmHWM") : -1;
        long rssAfter = pid.isPresent() ? ProcStats.statusBytes(pid.getAsLong(), "VmRSS") : -1;
        long heapAfter =
            p.heap() && pid.isPresent() ? ProcStats.heapUsedAfterGc(pid.getAsLong()) : -1;

        ObjectNode pub = results.putObject("publisher");
        double publishRate;
        if (perfTest != null) {
          pub.put("kind", "perftest");
          pub.put("exit_status", perfTest.exitStatus());
          pub.put("rate", Format.rate(perfTest.averageRate()));
          pub.put("peak_second_rate", Format.rate(perfTest.peakSecondRate()));
          pub.put("nacked", perfTest.nacked());
          pub.put("cores", perfTest.cores());
          pub.put("wall_s", perfTest.wallSeconds());
          pub.put("command", String.join(" ", perfTest.command()));
          pub.put("output", perfTest.output().toString());
          publishRate = perfTest.averageRate();
        } else {
          pub.put("kind", "clu-ws-load");
          pub.put("published", published.published());
          pub.put("nacked", published.nacked());
          pub.put("rate", Format.rate(published.rate()));
          publishRate = published.rate();
        }

        Totals totals = summarize(readers, baseline.stats(), await, start, results);
        // The ceiling means something only if the publisher offered more than both consumers took.
        double fastestClient = readers.stream().mapToDouble(r -> r.stats().rate()).max().orElse(0);
        boolean outran = outran(publishRate, totals.baselineRate(), fastestClient);
        pub.put("outran_both_consumers", outran);
        long window = await.atLastProgress().wallNanos() - start.wallNanos();
        ObjectNode cpu = (ObjectNode) results.get("cpu");
        cpu.put("gateway_cores_without_jit", threadsStart.coresWithoutJit(threadsEnd, window));
        threadsStart.writeCores(threadsEnd, window, 6, cpu.putObject("gateway_threads"));
        ObjectNode memory = results.putObject("gateway_memory");
        memory.put("rss_before_mib", Format.mib(rssBefore));
        memory.put("rss_after_mib", Format.mib(rssAfter));
        memory.put("peak_rss_mib", Format.mib(peakRss));
        if (p.heap()) {
          memory.put("heap_after_gc_before_mib", Format.mib(heapBefore));
          memory.put("heap_after_gc_after_mib", Format.mib(heapAfter));
        }
        return new Outcome(
            params,
            results,
            totals.clientRate(),
            totals.deliveredRate(),
            totals.baselineRate(),
            totals.latency(),
            totals.lost(),
            totals.duplicates(),
            totals.orderViolations(),
            totals.gatewayCores(),
            peakRss,
            await.end(),
            publishRate,
            outran);
      } finally {
        WsClients.closeAll(sessions, Duration.ofSeconds(2));
      }
    }
  }

  /**
   * Publishes warm-up replies {@code firstIndex..firstIndex+count-1} and waits until every reader
   * and the baseline has received the last of them, so that the measured replies start on an idle,
   * compiled path with no backlog.
   */
  private static void warmUp(
      Bench bench,
      List<ReadingClient> readers,
      BaselineConsumer baseline,
      ReplyPublisher publisher,
      int firstIndex,
      int count,
      double rate,
      long deadline) {
    publisher.publishWarmup(firstIndex, count, rate, deadline);
    long last = firstIndex + count - 1L;
    List<ReceiveStats> all = statsOf(baseline, readers);
    if (awaitCounts(bench, all, ReceiveStats::warmupSeen, last, deadline, () -> {})
        != End.COMPLETE) {
      throw new IllegalStateException(
          "warm-up did not reach every client: "
              + countBehind(readers, last)
              + " of "
              + readers.size()
              + " readers missed the last warm-up reply");
    }
  }

  private static long countBehind(List<ReadingClient> readers, long last) {
    return readers.stream().filter(r -> r.stats().warmupSeen() < last).count();
  }

  /** How the wait for the measured replies ended, and the CPU snapshot at the last progress. */
  private record Await(End end, CpuSnapshot atLastProgress) {}

  private static Await awaitAll(
      Bench bench,
      List<ReadingClient> readers,
      BaselineConsumer baseline,
      int expected,
      OptionalLong pid,
      CpuSnapshot start,
      long deadline) {
    List<ReceiveStats> all = statsOf(baseline, readers);
    CpuSnapshot[] atProgress = {start};
    End end =
        awaitCounts(
            bench,
            all,
            ReceiveStats::received,
            expected,
            deadline,
            () -> atProgress[0] = CpuSnapshot.take(pid, bench.brokerPid()));
    return new Await(end, atProgress[0]);
  }

  /**
   * Whether the publisher offered more than every consumer took ({@code publishRate} above each of
   * {@code consumerRates}): only then is what they took a ceiling, not the publisher's pace.
   */
  static boolean outran(double publishRate, double... consumerRates) {
    for (double rate : consumerRates) {
      if (publishRate <= rate) {
        return false;
      }
    }
    return true;
  }

  /** The plain consumer's counts, then every reading client's. */
  private static List<ReceiveStats> statsOf(
      BaselineConsumer baseline, List<ReadingClient> readers) {
    List<ReceiveStats> all = new ArrayList<>(readers.size() + 1);
    all.add(baseline.stats());
    readers.forEach(r -> all.add(r.stats()));
    return all;
  }

  /**
   * Waits until {@code count} of every one of {@code stats} reaches {@code target}: {@link
   * End#COMPLETE}; {@link End#STALLED} when their sum has not moved for the run's stall time,
   * {@link End#TIMEOUT} past {@code deadline}. {@code onProgress} runs each time the sum moves.
   */
  static End awaitCounts(
      Bench bench,
      List<ReceiveStats> stats,
      ToLongFunction<ReceiveStats> count,
      long target,
      long deadline,
      Runnable onProgress) {
    long stallNanos = bench.stall().toNanos();
    long seen = -1;
    long progressAt = System.nanoTime();
    while (true) {
      long sum = 0;
      boolean all = true;
      for (ReceiveStats s : stats) {
        long n = count.applyAsLong(s);
        sum += n;
        all &= n >= target;
      }
      long now = System.nanoTime();
      if (sum != seen) {
        seen = sum;
        progressAt = now;
        onProgress.run();
      }
      if (all) {
        return End.COMPLETE;
      }
      if (now - progressAt > stallNanos) {
        return End.STALLED;
      }
      if (now > deadline) {
        return End.TIMEOUT;
      }
      sleep(10);
    }
  }

  /** The readers' totals. */
  private record Totals(
      double clientRate,
      double deliveredRate,
      double baselineRate,
      Histogram latency,
      long lost,
      long duplicates,
      long orderViolations,
      double gatewayCores) {}

  private static Totals summarize(
      List<ReadingClient> readers,
      ReceiveStats baseline,
      Await await,
      CpuSnapshot start,
      ObjectNode results) {
    results.put("end", await.end().name().toLowerCase(java.util.Locale.ROOT));
    Histogram latency = new Histogram();
    double[] rates = new double[readers.size()];
    long received = 0;
    long lost = 0;
    long duplicates = 0;
    long order = 0;
    long unreadable = 0;
    long complete = 0;
    long worstP99 = 0;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (int i = 0; i < readers.size(); i++) {
      ReceiveStats s = readers.get(i).stats();
      latency.add(s.latency());
      rates[i] = s.rate();
      received += s.received();
      lost += s.lost();
      duplicates += s.duplicates();
      order += s.orderViolations();
      unreadable += s.unreadableCount();
      complete += s.lost() == 0 ? 1 : 0;
      worstP99 = Math.max(worstP99, s.latency().percentile(99));
      if (s.received() > 0) {
        first = Math.min(first, s.firstNanos());
        last = Math.max(last, s.lastNanos());
      }
    }
    double sum = Arrays.stream(rates).sum();
    double mean = sum / rates.length;
    double[] sorted = rates.clone();
    Arrays.sort(sorted);

    ObjectNode clients = results.putObject("clients");
    clients.put("reading", readers.size());
    clients.put("complete", complete);
    clients.put("received", received);
    clients.put("lost", lost);
    clients.put("duplicates", duplicates);
    clients.put("order_violations", order);
    clients.put("other_frames", unreadable);
    // Closed by the gateway during the run (e.g. 1008 for a client too slow to keep up).
    ObjectNode closed = clients.putObject("closed_by_gateway");
    for (ReadingClient reader : readers) {
      if (reader.closeCode() >= 0) {
        String code = Integer.toString(reader.closeCode());
        closed.put(code, closed.path(code).asInt() + 1);
      }
    }
    ObjectNode rate = clients.putObject("rate_per_client");
    rate.put("min", Format.rate(sorted[0]));
    rate.put("median", Format.rate(sorted[sorted.length / 2]));
    rate.put("mean", Format.rate(mean));
    rate.put("max", Format.rate(sorted[sorted.length - 1]));
    // The sum of the clients' own rates; with many clients served in turns, each client's window
    // (its first to last receive) can be short, so delivered_per_second (every frame over the one
    // window from the first receive of any client to the last of any) is the figure to compare.
    clients.put("aggregate_rate", Format.rate(sum));
    double delivered = last > first ? received * 1e9 / (last - first) : 0;
    clients.put("delivered_per_second", Format.rate(delivered));
    Format.latency(clients.putObject("latency"), latency);
    clients.put("worst_client_p99_ms", Format.ms(worstP99));

    ObjectNode base = results.putObject("baseline");
    base.put("received", baseline.received());
    base.put("lost", baseline.lost());
    base.put("duplicates", baseline.duplicates());
    base.put("order_violations", baseline.orderViolations());
    base.put("rate", Format.rate(baseline.rate()));
    Format.latency(base.putObject("latency"), baseline.latency());
    // What the gateway adds to the broker's own latency (both consumers see the same replies).
    results.put(
        "gateway_added_p50_ms",
        Format.ms(latency.percentile(50) - baseline.latency().percentile(50)));
    results.put(
        "gateway_added_p99_ms",
        Format.ms(latency.percentile(99) - baseline.latency().percentile(99)));
    double baselineRate = baseline.rate();
    double median = sorted[sorted.length / 2];
    results.put(
        "ratio_vs_baseline", baselineRate > 0 ? CpuSnapshot.round(median / baselineRate, 3) : -1);
    results.put(
        "min_ratio_vs_baseline",
        baselineRate > 0 ? CpuSnapshot.round(sorted[0] / baselineRate, 3) : -1);

    ObjectNode cpu = results.putObject("cpu");
    start.writeCores(await.atLastProgress(), cpu);
    return new Totals(
        median,
        delivered,
        baselineRate,
        latency,
        lost,
        duplicates,
        order,
        start.gatewayCores(await.atLastProgress()));
  }

  /** The summary row of a fan-out run. */
  static SummaryRow row(String scenario, Params p, Outcome o) {
    ObjectNode cpu = (ObjectNode) o.results().get("cpu");
    String params =
        "K="
            + p.readers()
            + (p.silent() > 0 ? "+" + p.silent() + " silent" : "")
            + " M="
            + p.replies()
            + " rate="
            + Format.rateOption(p.rate())
            + (p.perfTest() ? " (PerfTest)" : "");
    return new SummaryRow(
        scenario,
        params,
        Format.num(o.clientRate()) + " / " + Format.num(o.deliveredRate()),
        o.baselineRate() > 0
            ? Format.dec(100 * o.clientRate() / o.baselineRate(), 1)
                + " % of "
                + Format.num(o.baselineRate())
            : "-",
        o.lost() + " / " + o.duplicates() + " / " + o.orderViolations(),
        o.latency().count() > 0 ? Format.latency(o.latency()) : "- (no send time)",
        Format.dec(o.gatewayCores(), 2),
        o.peakRss() >= 0 ? "peak RSS " + Format.dec(Format.mib(o.peakRss()), 0) + " MiB" : "-",
        Format.cpuNote(cpu)
            + (o.end() == End.COMPLETE
                ? ""
                : "; " + o.end().name().toLowerCase(java.util.Locale.ROOT)));
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
