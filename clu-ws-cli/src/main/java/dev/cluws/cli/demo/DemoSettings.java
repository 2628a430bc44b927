package dev.cluws.cli.demo;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether {@code clu-ws} runs the demo actor beside the gateway, and how.
 *
 * @param enabled whether the demo actor runs
 * @param actorName the actor's name: commands go to {@code command.<actorName>}, its replies carry
 *     {@code sender: <actorName>}
 * @param broadcastInterval how often it broadcasts its changing status keywords
 */
public record DemoSettings(boolean enabled, String actorName, Duration broadcastInterval) {
  /** The demo actor's name unless {@code --demo-actor-name} says otherwise. */
  public static final String DEFAULT_ACTOR_NAME = "demo";

  /** How often the demo actor broadcasts by default. */
  public static final Duration DEFAULT_BROADCAST_INTERVAL = Duration.ofSeconds(3);

  /** No demo actor. */
  public static final DemoSettings OFF =
      new DemoSettings(false, DEFAULT_ACTOR_NAME, DEFAULT_BROADCAST_INTERVAL);

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException when the name is empty or has other characters than letters,
   *     digits, {@code -}, {@code _} and {@code .} (e.g. {@code #} or {@code *}, which would change
   *     its AMQP bindings), or the interval is not positive
   */
  public DemoSettings {
    Objects.requireNonNull(actorName, "actorName");
    Objects.requireNonNull(broadcastInterval, "broadcastInterval");
    if (!actorName.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "invalid demo actor name '" + actorName + "': use letters, digits, '-', '_' or '.'");
    }
    if (broadcastInterval.isNegative() || broadcastInterval.isZero()) {
      throw new IllegalArgumentException("the broadcast interval must be positive");
    }
  }

  /** A demo actor called {@code actorName} that broadcasts at the default interval. */
  public static DemoSettings actor(String actorName) {
    return new DemoSettings(true, actorName, DEFAULT_BROADCAST_INTERVAL);
  }
}
