package dev.cluws.bench.jmh;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.Reply;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Measures {@link FrameCodec#encode(Reply, long)}: turning one parsed CLU reply (the five CLU
 * headers, exchange, routing key, message id, timestamp and a JSON body) into the UTF-8 text frame
 * {@code clu websocket} sends.
 *
 * <p>Why it matters: the hub encodes every reply that at least one client accepts exactly once, on
 * the AMQP delivery thread, so this is the per-reply floor of the whole reply path and bounds how
 * many replies per second one gateway can forward. {@code bodyBytes} is the size of the reply's
 * JSON body: 200 (a typical {@code {"seq", "t", "pad"}} reply) and 2000 (an actor status with a
 * nested object and arrays). The frame adds about 300 bytes of headers and envelope.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FrameEncodingBenchmark {

  @Param({"200", "2000"})
  int bodyBytes;

  private FrameCodec codec;
  private Reply reply;
  private long sequence;

  @Setup
  public void setUp() {
    JsonMapper mapper = JsonMappers.newMapper();
    codec = new FrameCodec(mapper, CluData.GATEWAY);
    reply = CluData.reply(mapper, "lvmecp", bodyBytes);
  }

  /** One reply encoded to one frame. */
  @Benchmark
  public void encode(Blackhole bh) {
    bh.consume(codec.encode(reply, ++sequence));
  }
}
