package dev.cluws.bench.load;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes bench replies the way a CLU actor publishes broadcasts ({@code reply.broadcast}, CLU
 * headers, text/json), on a channel with publisher confirms and a bounded window of unconfirmed
 * messages: at full speed it publishes as fast as the confirms allow; with a rate it paces itself.
 */
final class ReplyPublisher implements AutoCloseable {
  private final Connection connection;
  private final Channel channel;
  private final String exchange;
  private final int window;
  private final Semaphore permits;
  private final Object lock = new Object();
  private final NavigableSet<Long> unconfirmed = new TreeSet<>();
  private final LongAdder nacked = new LongAdder();
  private final Map<String, Object> headers = BenchMessages.broadcastHeaders();
  private final long idPrefix = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
  private long messages;

  /** What one call of {@link #publish} did. */
  record Result(long published, long nacked, long elapsedNanos) {
    double rate() {
      return elapsedNanos <= 0 ? 0 : published * 1e9 / elapsedNanos;
    }
  }

  ReplyPublisher(BrokerSettings broker, String exchange, int window) {
    this.exchange = exchange;
    this.window = window;
    this.permits = new Semaphore(window);
    this.connection = broker.connect("clu-ws-load publisher");
    try {
      channel = connection.createChannel();
      channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
      channel.confirmSelect();
      channel.addConfirmListener(
          new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
              confirm(tag, multiple, false);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
              confirm(tag, multiple, true);
            }
          });
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    }
  }

  private void confirm(long tag, boolean multiple, boolean nack) {
    int released;
    synchronized (lock) {
      if (multiple) {
        NavigableSet<Long> done = unconfirmed.headSet(tag, true);
        released = done.size();
        done.clear();
      } else {
        released = unconfirmed.remove(tag) ? 1 : 0;
      }
    }
    if (nack) {
      nacked.add(released);
    }
    permits.release(released);
  }

  /**
   * Publishes {@code count} replies numbered {@code 0..count-1} (or warm-up replies numbered {@code
   * -1..-count}), at {@code rate} per second or as fast as confirms allow when {@code rate} is 0,
   * then waits for their confirms. Stops early at {@code deadlineNanos} ({@link
   * System#nanoTime()}).
   */
  Result publish(int count, boolean warmup, double rate, long deadlineNanos) {
    return publish(0, count, warmup, rate, deadlineNanos);
  }

  /**
   * Publishes warm-up replies with indexes {@code first..first+count-1} (numbered {@code
   * -index-1}).
   */
  Result publishWarmup(int first, int count, double rate, long deadlineNanos) {
    return publish(first, count, true, rate, deadlineNanos);
  }

  private Result publish(int first, int count, boolean warmup, double rate, long deadlineNanos) {
    long nackedBefore = nacked.sum();
    long start = System.nanoTime();
    double intervalNanos = rate > 0 ? 1e9 / rate : 0;
    int sent = 0;
    try {
      for (int i = 0; i < count; i++) {
        if (intervalNanos > 0) {
          pace(start + (long) (i * intervalNanos));
        }
        if (!permits.tryAcquire()) {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
            break;
          }
        }
        long seq = warmup ? -(first + i + 1L) : i;
        synchronized (lock) {
          unconfirmed.add(channel.getNextPublishSeqNo());
        }
        channel.basicPublish(
            exchange,
            BenchMessages.BROADCAST,
            BenchMessages.replyProperties(
                headers, BenchMessages.messageId(idPrefix, messages++), null),
            BenchMessages.body(seq, BenchMessages.nowMicros()));
        sent++;
      }
      long left = Math.max(1, deadlineNanos - System.nanoTime());
      if (permits.tryAcquire(window, left, TimeUnit.NANOSECONDS)) {
        permits.release(window);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("publishing failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return new Result(sent, nacked.sum() - nackedBefore, System.nanoTime() - start);
  }

  /**
   * Sleeps until {@code due}. Never spins: a spinning publisher takes a core from the broker and
   * the gateway on a small machine. Due times count from the start, so a late wake-up is caught up
   * by the next few replies and the rate holds on average.
   */
  private static void pace(long due) {
    long wait;
    while ((wait = due - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  @Override
  public void close() {
    try {
      connection.close(2_000);
    } catch (IOException | RuntimeException e) {
      // already closed
    }
  }
}
