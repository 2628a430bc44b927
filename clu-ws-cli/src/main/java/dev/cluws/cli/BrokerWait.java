package dev.cluws.cli;

import dev.cluws.core.spi.BrokerUnavailableException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * How long {@code clu-ws} waits for RabbitMQ at start-up ({@code --wait-for-broker}): not at all
 * (the default: fail at once), up to a duration, or until it is there. amqp-client's recovery only
 * covers connections that were up once; this covers the first one, e.g. when the gateway and the
 * broker start together.
 *
 * <p>{@link #retry} repeats an attempt that fails with {@link BrokerUnavailableException}, waiting
 * {@value #FIRST_DELAY_MILLIS} ms after the first failure and twice as long after each next one, up
 * to {@value #MAX_DELAY_MILLIS} ms, and logs one INFO line per failed attempt with the reason. Any
 * other failure (a taken port, a queue in use) ends it at once.
 */
final class BrokerWait {
  static final long FIRST_DELAY_MILLIS = 500;
  static final long MAX_DELAY_MILLIS = 10_000;

  /** Do not wait: the first failure is final. */
  static final BrokerWait NONE = new BrokerWait(Duration.ZERO);

  private static final Logger log = LoggerFactory.getLogger(BrokerWait.class);

  /** How long to keep trying; {@code null} for as long as it takes. */
  private final Duration limit;

  private BrokerWait(Duration limit) {
    this.limit = limit;
  }

  /** Waits for as long as it takes. */
  static BrokerWait forever() {
    return new BrokerWait(null);
  }

  /** Waits up to {@code limit}. */
  static BrokerWait upTo(Duration limit) {
    if (limit.isNegative()) {
      throw new IllegalArgumentException("the wait must not be negative");
    }
    try {
      var unused = limit.toMillis(); // throws for a wait too long to count in milliseconds
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "the wait is too long; leave the value out to wait forever");
    }
    return new BrokerWait(limit);
  }

  /**
   * Parses {@code --wait-for-broker}'s value: {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h},
   * an ISO-8601 duration such as {@code PT1M30S}, or {@code forever}.
   */
  static BrokerWait parse(String text) {
    if (text.trim().equalsIgnoreCase("forever")) {
      return forever();
    }
    try {
      return upTo(DurationConverter.parse(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid duration '" + text + "': use e.g. 30s, 2m, 1h or PT1M30S");
    }
  }

  /** {@code null} when it waits forever. */
  Duration limit() {
    return limit;
  }

  /** Sleeps between attempts; a parameter so tests can count instead of sleeping. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  /** A clock in nanoseconds, like {@link System#nanoTime()}. */
  @FunctionalInterface
  interface Ticker {
    long nanoTime();
  }

  /** {@link #retry(Supplier, Ticker, Sleeper)} with the system clock and {@link Thread#sleep}. */
  <T> T retry(Supplier<T> attempt) {
    return retry(attempt, System::nanoTime, Thread::sleep);
  }

  /**
   * Runs {@code attempt} until it returns, retrying with backoff while it fails with {@link
   * BrokerUnavailableException} and time is left. The last attempt starts when the time runs out.
   *
   * @throws BrokerUnavailableException the last failure, when the time ran out (or the thread was
   *     interrupted while waiting)
   */
  <T> T retry(Supplier<T> attempt, Ticker ticker, Sleeper sleeper) {
    long start = ticker.nanoTime();
    long delay = FIRST_DELAY_MILLIS;
    for (int attempts = 1; ; attempts++) {
      try {
        return attempt.get();
      } catch (BrokerUnavailableException e) {
        long waited = (ticker.nanoTime() - start) / 1_000_000;
        long left = limit == null ? Long.MAX_VALUE : limit.toMillis() - waited;
        if (left <= 0) {
          if (attempts > 1) {
            log.info(
                "gave up waiting for the broker after {} attempts in {}", attempts, human(waited));
          }
          throw e;
        }
        long pause = Math.min(delay, left);
        log.info(
            "start-up attempt {} failed: {}; trying again in {} ({})",
            attempts,
            e.getMessage(),
            human(pause),
            limit == null ? "waiting until it is" : human(left) + " left");
        try {
          sleeper.sleep(pause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        delay = Math.min(delay * 2, MAX_DELAY_MILLIS);
      }
    }
  }

  /** {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 2m30s}. */
  static String human(long millis) {
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis < 60_000) {
      return millis % 1000 == 0
          ? millis / 1000 + "s"
          : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long seconds = millis / 1000;
    return seconds / 60 + "m" + (seconds % 60 == 0 ? "" : seconds % 60 + "s");
  }

  @Override
  public String toString() {
    return limit == null ? "forever" : human(limit.toMillis());
  }

  /** Picocli's converter for {@code --wait-for-broker}. */
  static final class Converter implements CommandLine.ITypeConverter<BrokerWait> {
    @Override
    public BrokerWait convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
