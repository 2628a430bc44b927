package dev.cluws.amqp.internal;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The consumer executor of the replies connection: it runs amqp-client's consumer callbacks on the
 * thread that hands them over, the connection's reader thread, instead of waking a pool thread for
 * each delivery.
 *
 * <p>amqp-client reads a delivery on the connection's reader thread and, by default, queues it for
 * a consumer pool thread, which has to be woken and, on a busy machine, wait for a core before the
 * reply goes on: one thread wake-up per reply that a client's latency pays for (below saturation,
 * the fan-out then writes the reply's first frames on that same thread). With this executor the
 * reader thread runs the callback itself, as amqp-client's work pool does with any executor: it
 * takes the channel's pending deliveries in blocks and runs them in order, one channel at a time.
 *
 * <p>It is safe only because the source's callbacks never wait for the broker: a callback that made
 * a synchronous call on the connection (declare, consume, cancel) would wait for an answer that
 * only the reader thread, busy running it, could read. The source's callbacks hand such work to its
 * own thread (a cancelled consumer is consumed again there), acknowledge asynchronously, and hand a
 * reply to the hub, which never blocks (a full client outbox drops or disconnects, and the source
 * stops acknowledging until the hub has room). While a callback runs the reader reads nothing more,
 * which bounds what the connection buffers to the broker's prefetch window as before.
 *
 * <p>Shutting it down only marks it: there are no threads to stop.
 */
public final class CallerRunsDispatch extends AbstractExecutorService {
  private volatile boolean shutdown;

  @Override
  public void execute(Runnable task) {
    task.run();
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }
}
