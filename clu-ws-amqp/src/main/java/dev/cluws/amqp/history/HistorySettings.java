package dev.cluws.amqp.history;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The shared history stream: its name and retention. Every instance of the gateway that names the
 * same stream shares it; they must give it the same retention (the broker refuses to declare a
 * stream again with other arguments).
 *
 * @param stream the stream's (queue's) name
 * @param maxAge how long the stream keeps a reply ({@code x-max-age}; the broker drops whole
 *     segments, so it may keep a reply somewhat longer)
 * @param maxBytes how many bytes the stream keeps at most ({@code x-max-length-bytes}; also whole
 *     segments)
 * @param readTimeout how long a read may wait for the broker (nothing delivered) before it fails
 */
public record HistorySettings(String stream, Duration maxAge, long maxBytes, Duration readTimeout) {

  /** The default retention by age: one hour. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(1);

  /** The default retention by size: 1 GB. */
  public static final long DEFAULT_MAX_BYTES = 1_000_000_000L;

  /** The default longest wait for the broker during a read: one minute. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMinutes(1);

  /** The largest segment the stream is split into (RabbitMQ's default, 500 MB). */
  static final long MAX_SEGMENT_BYTES = 500_000_000L;

  public HistorySettings {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(readTimeout, "readTimeout");
    if (stream.isBlank() || stream.length() > 255 || stream.startsWith("amq.")) {
      throw new IllegalArgumentException(
          "invalid history stream name '" + stream + "': 1 to 255 characters, not 'amq.*'");
    }
    if (maxAge.isNegative() || maxAge.toSeconds() < 1) {
      throw new IllegalArgumentException("the history's max age must be at least 1 s");
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("the history's max bytes must be positive");
    }
    if (readTimeout.isNegative() || readTimeout.isZero()) {
      throw new IllegalArgumentException("the history's read timeout must be positive");
    }
  }

  /** A stream with the default retention (1 h, 1 GB). */
  public static HistorySettings named(String stream) {
    return new HistorySettings(stream, DEFAULT_MAX_AGE, DEFAULT_MAX_BYTES, DEFAULT_READ_TIMEOUT);
  }

  /** The same with another retention. */
  public HistorySettings withRetention(Duration newMaxAge, long newMaxBytes) {
    return new HistorySettings(stream, newMaxAge, newMaxBytes, readTimeout);
  }

  /**
   * The arguments the stream is declared with: {@code x-queue-type: stream} and the retention.
   * Whoever declares the stream again must give the same ones (the broker refuses others).
   */
  public Map<String, Object> streamArguments() {
    return Map.of(
        "x-queue-type",
        "stream",
        "x-max-age",
        maxAgeArgument(),
        "x-max-length-bytes",
        maxBytes,
        "x-stream-max-segment-size-bytes",
        segmentBytes());
  }

  /** {@code x-max-age} as RabbitMQ reads it: whole seconds, {@code "3600s"}. */
  String maxAgeArgument() {
    return maxAge.toSeconds() + "s";
  }

  /**
   * The segment size: a tenth of the retention by size (so that retention drops a tenth at a time
   * rather than everything), at most RabbitMQ's default of 500 MB.
   */
  long segmentBytes() {
    return Math.max(1, Math.min(MAX_SEGMENT_BYTES, maxBytes / 10));
  }
}
