package dev.cluws.cli;

import dev.cluws.jetty.reload.Reloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP, the Unix convention for "read your configuration files again", through the JDK's {@code
 * sun.misc.Signal} (module {@code jdk.unsupported}, present in every JDK). Guarded: where the
 * signal cannot be handled (Windows, a JVM started with {@code -Xrs}), it is not.
 *
 * <p>A process started with SIGHUP ignored (under {@code nohup}, say) keeps it ignored: the JVM
 * does not put a handler on a signal the process inherited as ignored. That is logged at start.
 *
 * <p>Installed before the server starts: the JVM's own answer to SIGHUP is to exit, so a signal
 * that arrived between the server's first accepted connection and the start of the {@link Reloader}
 * would otherwise stop the process. A SIGHUP that arrives before the reloader is {@link #reloadWith
 * set} is kept and carried out as soon as it is, so a file changed during the start is not missed.
 */
final class HangupSignal {
  private static final Logger log = LoggerFactory.getLogger(HangupSignal.class);

  private Reloader reloader;
  private boolean pending;

  private HangupSignal() {}

  /**
   * Handles SIGHUP from now on: kept until {@link #reloadWith} gives the reloader, then every
   * SIGHUP reloads every file it watches.
   */
  static HangupSignal install() {
    HangupSignal hangup = new HangupSignal();
    try {
      // Runs on the JVM's signal thread; reloadAll hands the work off and returns.
      sun.misc.SignalHandler before =
          sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> hangup.received());
      if (before == sun.misc.SignalHandler.SIG_IGN) {
        // The JVM leaves a signal that the process inherited as ignored ignored: no handler runs.
        log.warn(
            "SIGHUP is ignored by this process (it was started with SIGHUP ignored, e.g. under"
                + " nohup): a SIGHUP reloads nothing; the files are reloaded when they change"
                + " (--reload-interval), or after a restart");
      }
    } catch (IllegalArgumentException | IllegalStateException | LinkageError e) {
      log.info(
          "SIGHUP cannot be handled here ({}); files are reloaded when they change", e.toString());
    }
    return hangup;
  }

  /** From now on SIGHUP reloads with {@code reloader}; at once if one came during the start. */
  void reloadWith(Reloader started) {
    boolean now;
    synchronized (this) {
      reloader = started;
      now = pending;
      pending = false;
    }
    if (now) {
      reload(started);
    }
  }

  private void received() {
    Reloader current;
    synchronized (this) {
      current = reloader;
      if (current == null) {
        pending = true;
      }
    }
    if (current == null) {
      log.info("SIGHUP while starting: the files will be reloaded once the server has started");
    } else {
      reload(current);
    }
  }

  private static void reload(Reloader reloader) {
    if (reloader.reloadables().isEmpty()) {
      log.info("SIGHUP: nothing to reload (no token, permissions, JWT key or TLS file)");
    } else {
      log.info("SIGHUP: reloading {}", reloader.reloadables().stream().map(r -> r.what()).toList());
      var unused = reloader.reloadAll(); // it logs what it reloaded or refused
    }
  }
}
