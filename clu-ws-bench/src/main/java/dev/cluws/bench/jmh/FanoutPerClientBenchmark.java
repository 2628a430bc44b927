package dev.cluws.bench.jmh;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.GatewayStats;
import dev.cluws.core.client.ClientTransport;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.reply.FilterChain;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilterProvider;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Measures, in isolation, the two things {@link HubFanoutBenchmark} repeats for every client: one
 * client's {@link Outbox#offer} of an already encoded frame (with a transport that completes the
 * send inline, so the outbox is idle each time) and one client's {@link FilterChain#apply} with the
 * real {@code actors} filter ({@code lvm*}) on a reply it wants and on one it does not.
 *
 * <p>Why it matters: these are the per-client terms of the fan-out cost (the encode is the
 * per-reply term), measured here with everything in cache; the difference to the per-client slope
 * of {@link HubFanoutBenchmark} is what touching 1000 separate clients' objects costs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FanoutPerClientBenchmark {

  private Outbox outbox;
  private EncodedFrame frame;
  private FilterChain actors;
  private Reply wanted;
  private Reply unwanted;

  @Setup(Level.Trial)
  @SuppressWarnings("ReferenceEquality") // the filter passes the reply itself through
  public void setUp(Blackhole bh) {
    JsonMapper mapper = JsonMappers.newMapper();
    FrameCodec codec = new FrameCodec(mapper, CluData.GATEWAY);
    wanted = CluData.reply(mapper, "lvmecp", 200);
    unwanted = CluData.reply(mapper, "jaeger", 200);
    frame = codec.encode(wanted, 1);

    GatewayStats stats = new GatewayStats();
    ClientTransport transport =
        new ClientTransport() {
          @Override
          public void send(EncodedFrame f, SendCallback callback) {
            bh.consume(f);
            callback.completed(null);
          }

          @Override
          public void close(int statusCode, String reason) {}

          @Override
          public String remoteAddress() {
            return "10.0.0.1:40000";
          }
        };
    outbox =
        new Outbox(
            transport,
            GatewaySettings.DEFAULT_OUTBOX_FRAMES,
            GatewaySettings.DEFAULT_OUTBOX_BYTES,
            stats);

    ReplyFilterProvider provider = null;
    for (ReplyFilterProvider p : ServiceLoader.load(ReplyFilterProvider.class)) {
      if (p.name().equals("actors")) {
        provider = p;
      }
    }
    if (provider == null) {
      throw new IllegalStateException("the actors filter provider is not on the class path");
    }
    FilterContext context =
        new FilterContext() {
          @Override
          public String clientId() {
            return "c1";
          }

          @Override
          public List<String> values() {
            return List.of("lvm*");
          }

          @Override
          public String gatewayName() {
            return CluData.GATEWAY;
          }
        };
    actors = new FilterChain(List.of(provider.create(context)), stats);
    if (actors.apply(wanted) != wanted || actors.apply(unwanted) != null) {
      throw new IllegalStateException("the actors filter does not behave as expected");
    }
  }

  /** One client's share of delivering a frame: offer, send, inline completion. */
  @Benchmark
  public boolean outboxOffer() {
    return outbox.offer(frame);
  }

  /** One client's {@code actors=lvm*} chain on a reply from {@code lvmecp}. */
  @Benchmark
  public void actorsChainMatch(Blackhole bh) {
    bh.consume(actors.apply(wanted));
  }

  /** One client's {@code actors=lvm*} chain on a reply from {@code jaeger}. */
  @Benchmark
  public void actorsChainMiss(Blackhole bh) {
    bh.consume(actors.apply(unwanted));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (outbox.shedCount() != 0 || outbox.queued() != 0) {
      throw new IllegalStateException("the outbox shed or kept frames: the measurement is invalid");
    }
  }
}
