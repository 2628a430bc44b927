package dev.cluws.jetty;

import dev.cluws.core.Gateway;
import dev.cluws.core.GatewayStats;
import dev.cluws.core.spi.SourceState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Binds a gateway's counters ({@link GatewayStats}) and state to a Micrometer registry. Meter names
 * are Micrometer's dotted names; in Prometheus they read with underscores, counters with {@code
 * _total} and the timer in seconds ({@code cluws.frames.out} is {@code cluws_frames_out_total}):
 *
 * <ul>
 *   <li>{@code cluws.clients.connected} (gauge): websocket clients connected now;
 *   <li>{@code cluws.client.connections}: clients connected since start; {@code
 *       cluws.connections.refused}: upgrades refused at the connection limit;
 *   <li>{@code cluws.frames.in} by {@code kind} ({@code command}, {@code control}, {@code
 *       invalid}): frames received from clients;
 *   <li>{@code cluws.frames.out}, {@code cluws.bytes.out}: frames and payload bytes written to
 *       websockets;
 *   <li>{@code cluws.replies.received} by {@code actor} and {@code code}: replies from the broker
 *       (at most {@value GatewayStats#MAX_COUNTED_ACTORS} actors by name, then {@code
 *       actor="_other"}; {@code code="none"} for a reply without a CLU code);
 *   <li>{@code cluws.commands.received}: valid command frames; {@code cluws.commands} by {@code
 *       outcome}: {@code sent} (the broker confirmed and routed it), {@code returned} (no such
 *       actor), {@code failed} (could not be published), {@code denied} (access policy), {@code
 *       rate_limited};
 *   <li>{@code cluws.command.acks.sent}: command acknowledgements sent;
 *   <li>{@code cluws.frames.shed} by {@code policy} ({@code drop_oldest}: a queued frame made room
 *       for a newer one; {@code drop_newest}: the new frame was dropped, the outbox being full of
 *       protected frames); {@code cluws.frames.over.bound}: protected frames queued past the bound;
 *       {@code cluws.slow.clients.closed}: clients closed for staying full;
 *   <li>{@code cluws.broker.connected} (gauge, 1 or 0) and {@code cluws.broker.state} by {@code
 *       state} (1 for the current state of the message source, 0 for the others); {@code
 *       cluws.broker.disconnects} and {@code cluws.broker.reconnects};
 *   <li>{@code cluws.filter.errors}: exceptions thrown by reply filters;
 *   <li>{@code cluws.replay.replies} (gauge): replies kept for replay; {@code cluws.state.actors}
 *       and {@code cluws.state.bytes} (gauges): the current state kept for snapshots; {@code
 *       cluws.state.evicted} by {@code kind} ({@code actor}, {@code keyword}): evicted beyond its
 *       bounds;
 *   <li>{@code cluws.delivery.latency}: from the encoding of a reply frame (on its delivery from
 *       the broker) to the completed websocket write, per client write ({@link
 *       GatewayStats#deliveryLatency}). In a {@link PrometheusMeterRegistry} it is the histogram
 *       {@code cluws_delivery_latency_seconds} with buckets from 100 µs to 10 s, read from the
 *       buckets core counts; in other registries a function timer (count and total time).
 * </ul>
 *
 * <p>Per-actor counters appear as replies arrive (registered once per new actor and code). Only one
 * registry at a time receives those (bind to a composite registry for more); the latency histogram
 * can be registered once per Prometheus registry.
 */
public final class GatewayMetrics implements MeterBinder {
  private static final String LATENCY = "cluws.delivery.latency";
  private static final String LATENCY_HELP =
      "From the encoding of a reply frame (on delivery from the broker) to its completed websocket"
          + " write, per client";

  private final Gateway gateway;

  public GatewayMetrics(Gateway gateway) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    GatewayStats stats = gateway.stats();
    Gauge.builder("cluws.clients.connected", gateway, g -> g.clientCount())
        .description("Websocket clients connected now")
        .strongReference(true)
        .register(registry);
    counter(
        registry,
        "cluws.client.connections",
        stats.clientsConnected,
        "Clients connected since start");
    counter(
        registry,
        "cluws.connections.refused",
        stats.connectionsRefused,
        "Websocket upgrades refused because the gateway served its maximum of clients");

    String framesIn = "Frames received from websocket clients";
    counter(registry, "cluws.frames.in", stats.commandsReceived, framesIn, "kind", "command");
    counter(registry, "cluws.frames.in", stats.controlFrames, framesIn, "kind", "control");
    counter(registry, "cluws.frames.in", stats.invalidFrames, framesIn, "kind", "invalid");
    counter(registry, "cluws.frames.out", stats.framesOut, "Frames written to websockets");
    counter(
        registry,
        "cluws.bytes.out",
        stats.bytesOut,
        "Payload bytes of the frames written to websockets");

    stats.forEachReplyCount(
        (actor, code, count) ->
            counter(
                registry,
                "cluws.replies.received",
                count,
                "Replies received from the broker, by actor and message code",
                "actor",
                actor,
                "code",
                code));

    counter(
        registry,
        "cluws.commands.received",
        stats.commandsReceived,
        "Valid command frames received");
    String commands = "Commands by outcome";
    counter(registry, "cluws.commands", stats.commandsPublished, commands, "outcome", "sent");
    counter(registry, "cluws.commands", stats.commandsReturned, commands, "outcome", "returned");
    counter(registry, "cluws.commands", stats.commandsFailed, commands, "outcome", "failed");
    counter(registry, "cluws.commands", stats.commandsDenied, commands, "outcome", "denied");
    counter(
        registry, "cluws.commands", stats.commandsRateLimited, commands, "outcome", "rate_limited");
    counter(registry, "cluws.command.acks.sent", stats.acksSent, "Command acknowledgements sent");

    String shed = "Frames dropped because a client's outbox was full, by policy";
    counter(registry, "cluws.frames.shed", stats.framesShedOldest, shed, "policy", "drop_oldest");
    counter(registry, "cluws.frames.shed", stats.framesShedNewest, shed, "policy", "drop_newest");
    counter(
        registry,
        "cluws.frames.over.bound",
        stats.framesOverBound,
        "Protected frames (final replies to own commands, own errors) queued past a full outbox");
    counter(
        registry,
        "cluws.slow.clients.closed",
        stats.slowClientsClosed,
        "Clients closed because their outbox stayed full past the slow-client timeout");

    Gauge.builder("cluws.broker.connected", gateway, g -> g.sourceState() == SourceState.UP ? 1 : 0)
        .description("1 while the message source is connected to the broker and consuming")
        .strongReference(true)
        .register(registry);
    for (SourceState state : SourceState.values()) {
      Gauge.builder("cluws.broker.state", gateway, g -> g.sourceState() == state ? 1 : 0)
          .description("1 for the message source's current state, 0 for the others")
          .tag("state", state.name())
          .strongReference(true)
          .register(registry);
    }
    counter(
        registry,
        "cluws.broker.disconnects",
        stats.brokerDisconnects,
        "Times the message source lost the broker");
    counter(
        registry,
        "cluws.broker.reconnects",
        stats.brokerReconnects,
        "Times the message source was back after losing the broker");
    counter(
        registry,
        "cluws.filter.errors",
        stats.filterErrors,
        "Exceptions thrown by reply filters (each counted as a denial)");

    Gauge.builder("cluws.replay.replies", gateway, g -> g.replayableCount())
        .description("Replies kept for clients that reconnect with since=")
        .strongReference(true)
        .register(registry);
    Gauge.builder("cluws.state.actors", gateway, g -> g.stateActors())
        .description("Actors whose current state is kept for snapshots")
        .strongReference(true)
        .register(registry);
    Gauge.builder("cluws.state.bytes", gateway, g -> g.stateBytes())
        .description("Estimated bytes of the current state kept for snapshots")
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder("cluws.state.evicted", gateway, g -> g.stateActorsEvicted())
        .description("Actors and keywords evicted from the snapshot state beyond its bounds")
        .tag("kind", "actor")
        .register(registry);
    FunctionCounter.builder("cluws.state.evicted", gateway, g -> g.stateKeywordsEvicted())
        .description("Actors and keywords evicted from the snapshot state beyond its bounds")
        .tag("kind", "keyword")
        .register(registry);

    GatewayStats.LatencyHistogram latency = stats.deliveryLatency;
    latency.enable();
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      // The buckets are counted in core (no lock, no Micrometer call per frame): Prometheus reads
      // them as they are, as a classic histogram.
      prometheus.getPrometheusRegistry().register(new LatencyCollector(latency));
    } else {
      FunctionTimer.builder(
              LATENCY,
              latency,
              GatewayStats.LatencyHistogram::count,
              GatewayStats.LatencyHistogram::sumNanos,
              TimeUnit.NANOSECONDS)
          .description(LATENCY_HELP)
          .register(registry);
    }
  }

  /** {@code cluws_delivery_latency_seconds} as a Prometheus classic histogram. */
  private static final class LatencyCollector implements Collector {
    private final GatewayStats.LatencyHistogram histogram;
    private final double[] upperBounds;
    private final MetricMetadata metadata =
        new MetricMetadata("cluws_delivery_latency_seconds", LATENCY_HELP, Unit.SECONDS);

    LatencyCollector(GatewayStats.LatencyHistogram histogram) {
      this.histogram = histogram;
      long[] bounds = histogram.upperBoundsNanos();
      upperBounds = new double[bounds.length + 1];
      for (int i = 0; i < bounds.length; i++) {
        upperBounds[i] = bounds[i] / 1e9;
      }
      upperBounds[bounds.length] = Double.POSITIVE_INFINITY;
    }

    @Override
    public MetricSnapshot collect() {
      HistogramSnapshot.HistogramDataPointSnapshot point =
          new HistogramSnapshot.HistogramDataPointSnapshot(
              ClassicHistogramBuckets.of(upperBounds, histogram.counts()),
              histogram.sumNanos() / 1e9,
              Labels.EMPTY,
              Exemplars.EMPTY,
              0L);
      return new HistogramSnapshot(metadata, List.of(point));
    }

    @Override
    public String getPrometheusName() {
      return metadata.getPrometheusName();
    }
  }

  private static void counter(
      MeterRegistry registry, String name, LongAdder count, String description, String... tags) {
    FunctionCounter.builder(name, count, LongAdder::sum)
        .description(description)
        .tags(tags)
        .register(registry);
  }
}
