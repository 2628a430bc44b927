package dev.cluws.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP, the Unix convention for "read your configuration files again", through the JDK's {@code
 * sun.misc.Signal} (module {@code jdk.unsupported}, present in every JDK). Guarded: where the
 * signal cannot be handled (Windows, a JVM started with {@code -Xrs}), it is not.
 */
final class HangupSignal {
  private static final Logger log = LoggerFactory.getLogger(HangupSignal.class);

  private HangupSignal() {}

  /**
   * Calls {@code action} on every SIGHUP (on the JVM's signal thread: the action must hand work off
   * and return).
   *
   * @return whether the handler is installed
   */
  static boolean install(Runnable action) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run());
      return true;
    } catch (IllegalArgumentException | IllegalStateException | LinkageError e) {
      log.info(
          "SIGHUP cannot be handled here ({}); files are reloaded when they change", e.toString());
      return false;
    }
  }
}
