package dev.cluws.bench.jmh;

import dev.cluws.core.codec.DecodedFrame;
import dev.cluws.core.codec.DecodedFrame.InvalidFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.MessageCode;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Measures {@link FrameCodec#decode(String)} on the command path: a valid CLU command frame ({@code
 * consumer}, {@code command_string}, {@code command_id}), a frame that is valid JSON but lacks
 * {@code consumer}, and a frame that is not JSON at all; plus the whole answer to a bad frame
 * (decode and the reply-shaped {@code e} error frame, as {@code ClientConnection.onText} does
 * before queueing it).
 *
 * <p>Why it matters: decoding runs on a Jetty thread for every frame a client sends. Unlike CLU,
 * clu-ws answers every bad frame, so a misbehaving or hostile client can make the gateway take the
 * error path as fast as it can send: that path must cost about as little as a valid command, and
 * must not be dominated by exceptions or random-id generation.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CommandDecodingBenchmark {

  private FrameCodec codec;
  private String valid;
  private String missingConsumer;
  private String notJson;

  @Setup
  public void setUp() {
    codec = new FrameCodec(JsonMappers.newMapper(), CluData.GATEWAY);
    valid = CluData.VALID_COMMAND;
    missingConsumer = CluData.MISSING_CONSUMER;
    notJson = CluData.NOT_JSON;
    check(codec.decode(valid) instanceof DecodedFrame.CommandFrame, "valid frame");
    check(codec.decode(missingConsumer) instanceof InvalidFrame, "frame without consumer");
    check(codec.decode(notJson) instanceof InvalidFrame, "frame that is not JSON");
  }

  /** A valid command frame with a command id. */
  @Benchmark
  public void decodeValidCommand(Blackhole bh) {
    bh.consume(codec.decode(valid));
  }

  /** Valid JSON without {@code consumer}: the validation error path. */
  @Benchmark
  public void decodeMissingConsumer(Blackhole bh) {
    bh.consume(codec.decode(missingConsumer));
  }

  /** Not JSON: the parser's exception path. */
  @Benchmark
  public void decodeNotJson(Blackhole bh) {
    bh.consume(codec.decode(notJson));
  }

  /** Everything the gateway does for a frame without consumer until it queues the error frame. */
  @Benchmark
  public void answerMissingConsumer(Blackhole bh) {
    InvalidFrame invalid = (InvalidFrame) codec.decode(missingConsumer);
    bh.consume(codec.errorFrame(MessageCode.ERROR, invalid.commandId(), invalid.error()));
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("unexpected decode result for the " + what);
    }
  }
}
