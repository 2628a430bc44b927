package dev.cluws.bench.jmh;

import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.client.ClientTransport;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.CommandOutcome;
import dev.cluws.core.spi.CommandSink;
import dev.cluws.core.spi.MessageSource;
import dev.cluws.core.spi.ReplyListener;
import dev.cluws.core.spi.SourceState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The harness of the hub fan-out benchmarks ({@link HubFanoutBenchmark}, {@link
 * SubscriptionFanoutBenchmark}): a real gateway whose source, sink and client transports are
 * stand-ins, so that the benchmark itself delivers replies to the hub on one thread.
 */
final class FanoutHarness {
  private FanoutHarness() {}

  /**
   * Builds and starts a gateway with {@code settings}, {@code source}, a {@link NoOpSink} and
   * {@link Outbox#DIRECT} sends (the fan-out is measured on one thread, as the delivery thread plus
   * one writer); fails if one of the named filter providers is not on the class path.
   */
  static Gateway startGateway(
      GatewaySettings settings, CapturingSource source, List<String> filters) {
    Gateway gateway =
        Gateway.builder()
            .sendExecutor(Outbox.DIRECT)
            .gatewaySettings(settings)
            .source(source)
            .sink(new NoOpSink())
            .build();
    for (String name : filters) {
      if (!gateway.filterProviders().names().contains(name)) {
        throw new IllegalStateException(
            "the " + name + " filter provider (clu-ws-filters) is not on the class path");
      }
    }
    gateway.start();
    return gateway;
  }

  /** A websocket stand-in that "writes" each frame at once and completes the send inline. */
  static final class InlineTransport implements ClientTransport {
    private final Blackhole bh;
    private final String address;

    /** The last frame sent. */
    EncodedFrame last;

    /** The transport of client {@code i}, with a remote address of its own. */
    InlineTransport(Blackhole bh, int i) {
      this.bh = bh;
      this.address = "10.0." + (i / 256) + "." + (i % 256) + ":40000";
    }

    @Override
    public void send(EncodedFrame frame, SendCallback callback) {
      bh.consume(frame);
      last = frame;
      callback.completed(null);
    }

    @Override
    public void close(int statusCode, String reason) {}

    @Override
    public String remoteAddress() {
      return address;
    }
  }

  /** A source that only remembers the hub; the benchmark delivers on its behalf. */
  static final class CapturingSource implements MessageSource {
    private volatile ReplyListener listener;

    /** The hub, once the gateway has started this source. */
    ReplyListener listener() {
      return listener;
    }

    @Override
    public void start(ReplyListener replyListener) {
      this.listener = replyListener;
      replyListener.onStateChange(SourceState.UP);
    }

    @Override
    public SourceState state() {
      return listener == null ? SourceState.CONNECTING : SourceState.UP;
    }

    @Override
    public void close() {}
  }

  /** A sink that confirms every command at once (the fan-out itself never sends commands). */
  static final class NoOpSink implements CommandSink {
    @Override
    public void start() {}

    @Override
    public CompletionStage<CommandOutcome> send(Command command) {
      return CompletableFuture.completedFuture(CommandOutcome.PUBLISHED);
    }

    @Override
    public void close() {}
  }
}
