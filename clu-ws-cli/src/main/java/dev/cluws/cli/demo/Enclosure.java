package dev.cluws.cli.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A simulated enclosure for the demo actor: each step moves it along a fixed cycle (closed,
 * opening, open, closing) by a quarter of its travel, while the temperature drifts slowly. Not
 * thread-safe: the demo actor confines it to its one thread.
 */
final class Enclosure {
  private static final String[] STATUS = {
    "CLOSED", "CLOSED", "OPENING", "OPENING", "OPENING", "OPEN", "OPEN", "CLOSING", "CLOSING",
    "CLOSING"
  };
  private static final int[] POSITION = {0, 0, 25, 50, 75, 100, 100, 75, 50, 25};

  /** Steps for one full cycle of the temperature. */
  private static final int TEMPERATURE_PERIOD = 40;

  private long step;

  /** Moves the simulation one step on. */
  void advance() {
    step++;
  }

  /** Puts the current status keywords into {@code keywords}, and returns it. */
  ObjectNode keywords(ObjectNode keywords) {
    int phase = (int) (step % STATUS.length);
    double angle = 2 * Math.PI * (step % TEMPERATURE_PERIOD) / TEMPERATURE_PERIOD;
    double temperature = Math.round((8.0 + 1.5 * Math.sin(angle)) * 10) / 10.0;
    return keywords
        .put("enclosure_status", STATUS[phase])
        .put("enclosure_position", POSITION[phase])
        .put("temperature", temperature);
  }
}
