package dev.cluws.core;

import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * The gateway's own settings.
 *
 * @param name the gateway's name: its replies queue is {@code <name>_replies} and it is the {@code
 *     sender} of every frame the gateway itself originates. Two gateways on one broker need
 *     different names; {@link #defaults()} makes a unique one.
 * @param sourceProvider the {@code MessageSourceProvider} to use, or {@code null} for the only one
 *     on the class path
 * @param sinkProvider the {@code CommandSinkProvider} to use, or {@code null} for the only one
 * @param outboxMaxFrames how many frames one client's outbox holds before it sheds the oldest
 * @param outboxMaxBytes how many bytes one client's outbox holds before it sheds the oldest
 */
public record GatewaySettings(
    String name,
    String sourceProvider,
    String sinkProvider,
    int outboxMaxFrames,
    long outboxMaxBytes) {

  public static final int DEFAULT_OUTBOX_FRAMES = 4096;
  public static final long DEFAULT_OUTBOX_BYTES = 4L * 1024 * 1024;

  public GatewaySettings {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("the gateway name must not be blank");
    }
    if (outboxMaxFrames < 1 || outboxMaxBytes < 1) {
      throw new IllegalArgumentException("outbox bounds must be positive");
    }
  }

  /** A unique name, defaults everywhere else. */
  public static GatewaySettings defaults() {
    return named(uniqueName());
  }

  /** The given name, defaults everywhere else. */
  public static GatewaySettings named(String name) {
    return new GatewaySettings(name, null, null, DEFAULT_OUTBOX_FRAMES, DEFAULT_OUTBOX_BYTES);
  }

  public GatewaySettings withName(String newName) {
    return new GatewaySettings(newName, sourceProvider, sinkProvider, outboxMaxFrames, outboxMaxBytes);
  }

  public GatewaySettings withOutbox(int maxFrames, long maxBytes) {
    return new GatewaySettings(name, sourceProvider, sinkProvider, maxFrames, maxBytes);
  }

  public GatewaySettings withProviders(String source, String sink) {
    return new GatewaySettings(name, source, sink, outboxMaxFrames, outboxMaxBytes);
  }

  /** {@code clu-ws-<12 hex digits>}, unique per call (like CLU's {@code amqp-client-<hex>}). */
  public static String uniqueName() {
    String hex = UUID.randomUUID().toString().replace("-", "");
    return "clu-ws-" + hex.substring(hex.length() - 12).toLowerCase(Locale.ROOT);
  }
}
