package dev.cluws.core;

import dev.cluws.core.log.LogText;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.SourceState;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's counters. Cheap to update from any thread (each a {@link LongAdder}; no lock on the
 * path of a frame); read with {@code sum()}. Core knows no metrics library: the Jetty module
 * exposes these as Micrometer meters ({@code dev.cluws.jetty.GatewayMetrics}) and turns on the
 * {@link #deliveryLatency} histogram.
 */
public final class GatewayStats {
  private static final Logger log = LoggerFactory.getLogger(GatewayStats.class);

  /**
   * The most actors whose replies are counted by name ({@link #forEachReplyCount}); replies of any
   * further actor are counted under {@link #OTHER_ACTORS}, so a busy or hostile broker cannot make
   * the meters grow without bound.
   */
  public static final int MAX_COUNTED_ACTORS = 1000;

  /** The actor name under which replies beyond {@link #MAX_COUNTED_ACTORS} actors are counted. */
  public static final String OTHER_ACTORS = "_other";

  /** The actor name for replies without a {@code sender} header. */
  public static final String NO_SENDER = "_none";

  /** The code name for replies without a message code CLU knows. */
  public static final String NO_CODE = "none";

  /** Hears of each (actor, code) pair the first time a reply with it is counted. */
  @FunctionalInterface
  public interface ReplyCountListener {
    /**
     * A new pair; {@code count} is its counter (read with {@code sum()}). Called once per pair, on
     * the thread that counts its first reply (the source's delivery thread): must not block.
     */
    void added(String actor, String code, LongAdder count);
  }

  private static final ReplyCountListener NO_LISTENER = (actor, code, count) -> {};
  private static final MessageCode[] CODES = MessageCode.values();

  /** Valid replies the source delivered. */
  public final LongAdder repliesIn = new LongAdder();

  /** Frames written to websockets (all clients). */
  public final LongAdder framesOut = new LongAdder();

  /** Frames dropped because a client's outbox was full. */
  public final LongAdder framesShed = new LongAdder();

  /** Client frames that were not valid commands. */
  public final LongAdder invalidFrames = new LongAdder();

  /** Control frames (subscribe, unsubscribe, snapshot) received, valid or not. */
  public final LongAdder controlFrames = new LongAdder();

  /** Command acknowledgements sent to clients that asked for them. */
  public final LongAdder acksSent = new LongAdder();

  /** Valid command frames received. */
  public final LongAdder commandsReceived = new LongAdder();

  /** Commands the broker confirmed and routed. */
  public final LongAdder commandsPublished = new LongAdder();

  /** Commands the broker returned as unroutable (unknown consumer). */
  public final LongAdder commandsReturned = new LongAdder();

  /** Commands the access policy denied. */
  public final LongAdder commandsDenied = new LongAdder();

  /** Commands that could not be published. */
  public final LongAdder commandsFailed = new LongAdder();

  /** Exceptions thrown by reply filters (each counted as a denial). */
  public final LongAdder filterErrors = new LongAdder();

  /** Clients closed because their outbox stayed full past the slow-client timeout. */
  public final LongAdder slowClientsClosed = new LongAdder();

  /** Commands refused because the client exceeded its command rate. */
  public final LongAdder commandsRateLimited = new LongAdder();

  /** Upgrades refused because the gateway already served its maximum of clients. */
  public final LongAdder connectionsRefused = new LongAdder();

  /** Clients connected since start. */
  public final LongAdder clientsConnected = new LongAdder();

  /** Bytes of frames written to websockets (all clients; payload bytes, without framing). */
  public final LongAdder bytesOut = new LongAdder();

  /** Frames shed because an outbox was full: the oldest sheddable queued frame, for a newer one. */
  public final LongAdder framesShedOldest = new LongAdder();

  /** Frames shed because an outbox was full of protected frames: the new sheddable frame itself. */
  public final LongAdder framesShedNewest = new LongAdder();

  /** Protected frames (final replies to own commands, own errors) queued beyond a full outbox. */
  public final LongAdder framesOverBound = new LongAdder();

  /** Times the message source lost the broker (went from up to down or recovering). */
  public final LongAdder brokerDisconnects = new LongAdder();

  /** Times the message source was back up after losing the broker. */
  public final LongAdder brokerReconnects = new LongAdder();

  private final Map<String, AtomicReferenceArray<LongAdder>> repliesByActor =
      new ConcurrentHashMap<>();
  private final AtomicInteger countedActors = new AtomicInteger();
  private volatile ReplyCountListener replyCountListener = NO_LISTENER;

  /**
   * For every reply frame written to a websocket, the time from its encoding (right after the
   * delivery from the broker) to the completion of its write; off (nothing recorded, no clock read)
   * until {@link LatencyHistogram#enable() enabled}. Frames the gateway made for one client
   * (errors, acknowledgements, snapshots, notices) and frames replayed from before the client
   * connected are not recorded.
   */
  public final LatencyHistogram deliveryLatency =
      new LatencyHistogram(LatencyHistogram.DEFAULT_BOUNDS_NANOS);

  /**
   * Counts one reply the source delivered (called by the hub for every reply): in {@link
   * #repliesIn} and per actor and message code.
   */
  public void replyIn(Reply reply) {
    repliesIn.increment();
    String actor = reply.sender();
    if (actor == null) {
      actor = NO_SENDER;
    }
    AtomicReferenceArray<LongAdder> codes = repliesByActor.get(actor);
    if (codes == null) {
      codes = actorCounts(actor);
    }
    int slot = reply.messageCode().map(Enum::ordinal).orElse(CODES.length);
    LongAdder count = codes.get(slot);
    if (count == null) {
      count = newPair(actor(codes, actor), slot, codes);
    }
    count.increment();
  }

  /** The counters of a new actor, or of {@link #OTHER_ACTORS} once the bound is reached. */
  private AtomicReferenceArray<LongAdder> actorCounts(String actor) {
    if (countedActors.incrementAndGet() > MAX_COUNTED_ACTORS) {
      countedActors.decrementAndGet();
      AtomicReferenceArray<LongAdder> other = repliesByActor.get(actor);
      return other != null
          ? other
          : repliesByActor.computeIfAbsent(
              OTHER_ACTORS, a -> new AtomicReferenceArray<>(CODES.length + 1));
    }
    AtomicReferenceArray<LongAdder> codes = new AtomicReferenceArray<>(CODES.length + 1);
    AtomicReferenceArray<LongAdder> raced = repliesByActor.putIfAbsent(actor, codes);
    if (raced != null) {
      countedActors.decrementAndGet();
      return raced;
    }
    return codes;
  }

  private String actor(AtomicReferenceArray<LongAdder> codes, String actor) {
    return repliesByActor.get(actor) == codes ? actor : OTHER_ACTORS;
  }

  private LongAdder newPair(String actor, int slot, AtomicReferenceArray<LongAdder> codes) {
    LongAdder count = new LongAdder();
    if (!codes.compareAndSet(slot, null, count)) {
      return codes.get(slot);
    }
    try {
      replyCountListener.added(actor, codeName(slot), count);
    } catch (RuntimeException e) {
      log.warn("a reply count listener failed for actor {}", LogText.of(actor), e);
    }
    return count;
  }

  private static String codeName(int slot) {
    return slot < CODES.length ? CODES[slot].text() : NO_CODE;
  }

  /**
   * Calls {@code listener} for every (actor, code) pair counted so far and, from now on, for each
   * new one (a pair may be reported twice when it appears while this runs). One listener at a time:
   * a new one replaces the last.
   */
  public void forEachReplyCount(ReplyCountListener listener) {
    replyCountListener = listener == null ? NO_LISTENER : listener;
    if (listener == null) {
      return;
    }
    repliesByActor.forEach(
        (actor, codes) -> {
          for (int slot = 0; slot < codes.length(); slot++) {
            LongAdder count = codes.get(slot);
            if (count != null) {
              listener.added(actor, codeName(slot), count);
            }
          }
        });
  }

  /**
   * Replies received so far per actor ({@link #OTHER_ACTORS} beyond {@link #MAX_COUNTED_ACTORS}
   * actors, {@link #NO_SENDER} without a sender) and per message code ({@link MessageCode#text()},
   * or {@link #NO_CODE}): a sorted copy.
   */
  public Map<String, Map<String, Long>> repliesByActorAndCode() {
    Map<String, Map<String, Long>> copy = new TreeMap<>();
    repliesByActor.forEach(
        (actor, codes) -> {
          Map<String, Long> byCode = new TreeMap<>();
          for (int slot = 0; slot < codes.length(); slot++) {
            LongAdder count = codes.get(slot);
            if (count != null) {
              byCode.put(codeName(slot), count.sum());
            }
          }
          copy.put(actor, byCode);
        });
    return copy;
  }

  /**
   * Counts a change of the message source's state: a loss of the broker ({@code UP} to {@code DOWN}
   * or {@code RECOVERING}) in {@link #brokerDisconnects}, and being back ({@code DOWN} or {@code
   * RECOVERING} to {@code UP}) in {@link #brokerReconnects}. The first connection counts as
   * neither.
   */
  public void sourceStateChanged(SourceState previous, SourceState next) {
    boolean wasLost = previous == SourceState.DOWN || previous == SourceState.RECOVERING;
    boolean isLost = next == SourceState.DOWN || next == SourceState.RECOVERING;
    if (previous == SourceState.UP && isLost) {
      brokerDisconnects.increment();
    } else if (wasLost && next == SourceState.UP) {
      brokerReconnects.increment();
    }
  }

  /**
   * A histogram of durations with fixed bucket bounds: one {@link LongAdder} per bucket, so
   * recording from many threads takes no lock and little time (a binary search and two adds). Read
   * it with {@link #counts()} and {@link #sumNanos()} (a scrape may see a recording in one and not
   * yet in the other).
   */
  public static final class LatencyHistogram {
    /** 100 µs, 250 µs, 500 µs, 1 ms, 2.5 ms, ... 10 s. */
    public static final long[] DEFAULT_BOUNDS_NANOS = {
      100_000L,
      250_000L,
      500_000L,
      1_000_000L,
      2_500_000L,
      5_000_000L,
      10_000_000L,
      25_000_000L,
      50_000_000L,
      100_000_000L,
      250_000_000L,
      500_000_000L,
      1_000_000_000L,
      2_500_000_000L,
      5_000_000_000L,
      10_000_000_000L
    };

    private final long[] bounds;
    private final LongAdder[] buckets;
    private final LongAdder sumNanos = new LongAdder();
    private volatile boolean enabled;

    /**
     * @param boundsNanos the buckets' inclusive upper bounds, increasing; a last bucket without
     *     bound takes the rest
     */
    public LatencyHistogram(long[] boundsNanos) {
      bounds = boundsNanos.clone();
      for (int i = 1; i < bounds.length; i++) {
        if (bounds[i] <= bounds[i - 1]) {
          throw new IllegalArgumentException("bucket bounds must increase");
        }
      }
      buckets = new LongAdder[bounds.length + 1];
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    /** Starts recording (the outboxes skip the clock read while it is off). */
    public void enable() {
      enabled = true;
    }

    public boolean enabled() {
      return enabled;
    }

    /** Records one duration (negative ones as 0). */
    public void record(long nanos) {
      long value = Math.max(0, nanos);
      int index = java.util.Arrays.binarySearch(bounds, value);
      buckets[index >= 0 ? index : -index - 1].increment();
      sumNanos.add(value);
    }

    /** The inclusive upper bounds of the buckets (one fewer than {@link #counts()}). */
    public long[] upperBoundsNanos() {
      return bounds.clone();
    }

    /** The count of each bucket (not cumulative); the last one is the bucket above every bound. */
    public long[] counts() {
      long[] counts = new long[buckets.length];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = buckets[i].sum();
      }
      return counts;
    }

    /** How many durations were recorded. */
    public long count() {
      long count = 0;
      for (LongAdder bucket : buckets) {
        count += bucket.sum();
      }
      return count;
    }

    /** The sum of the durations recorded, in nanoseconds. */
    public long sumNanos() {
      return sumNanos.sum();
    }
  }
}
