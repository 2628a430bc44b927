package dev.cluws.amqp.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/** The threads of the AMQP side's own executors: daemons with a telling name, stopped briefly. */
public final class Threads {
  /** How long {@link #stop} lets the submitted tasks run before it interrupts them. */
  static final long STOP_GRACE_MILLIS = 2000;

  private Threads() {}

  /** A factory of daemon threads that are all called {@code name}. */
  public static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Stops {@code executor}: it takes no new tasks, and those already submitted get {@value
   * #STOP_GRACE_MILLIS} ms to run; then the rest are dropped and the running one is interrupted. An
   * interrupted caller stops waiting at once, and stays interrupted.
   */
  public static void stop(ExecutorService executor) {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
