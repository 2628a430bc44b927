package dev.cluws.jetty.reload;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads {@link Reloadable}s on one thread of its own ({@code clu-ws-reload}), so that reading
 * files never happens on a Jetty, AMQP or signal thread: every {@code interval} it polls them for
 * changed files, and {@link #reloadAll()} (SIGHUP) loads them all again at once.
 */
public final class Reloader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reloader.class);

  private final List<Reloadable<?>> reloadables;
  private final Duration interval;
  private final ScheduledExecutorService thread;

  /**
   * @param reloadables what to reload
   * @param interval how often to look for changed files; {@link Duration#ZERO} only reloads on
   *     {@link #reloadAll()}
   */
  public Reloader(List<Reloadable<?>> reloadables, Duration interval) {
    this.reloadables = List.copyOf(reloadables);
    this.interval = Objects.requireNonNull(interval, "interval");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative, got " + interval);
    }
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread t = new Thread(task, "clu-ws-reload");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts polling the files (unless the interval is zero or there is nothing to watch). */
  public Reloader start() {
    if (!interval.isZero() && !reloadables.isEmpty()) {
      long millis = Math.max(1, interval.toMillis());
      // pollAll catches per file, so a failure never cancels the schedule.
      var unused =
          thread.scheduleWithFixedDelay(this::pollAll, millis, millis, TimeUnit.MILLISECONDS);
      log.info(
          "watching {} for changes every {}",
          reloadables.stream().map(Reloadable::what).toList(),
          interval);
    }
    return this;
  }

  /** What it reloads. */
  public List<Reloadable<?>> reloadables() {
    return reloadables;
  }

  /**
   * Loads every file again, on the reload thread.
   *
   * @return completes with the number of values now loaded anew (the others were refused and
   *     logged), or exceptionally after {@link #close()}
   */
  public CompletableFuture<Integer> reloadAll() {
    try {
      return CompletableFuture.supplyAsync(
          () -> {
            int loaded = 0;
            for (Reloadable<?> reloadable : reloadables) {
              if (reloadable.reload()) {
                loaded++;
              }
            }
            return loaded;
          },
          thread);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Runs a task on the reload thread (e.g. a first fetch of remote keys); errors are logged. */
  public void execute(Runnable task) {
    try {
      thread.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.error("a reload task failed: {}", e.toString());
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("the reloader is closed; task dropped");
    }
  }

  private void pollAll() {
    for (Reloadable<?> reloadable : reloadables) {
      try {
        reloadable.poll();
      } catch (RuntimeException e) {
        log.error("watching {} failed: {}", reloadable.what(), e.toString());
      }
    }
  }

  /** Stops the thread. Idempotent. */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}
