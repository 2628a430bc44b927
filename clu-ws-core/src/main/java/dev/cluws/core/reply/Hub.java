package dev.cluws.core.reply;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.GatewayStats;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.client.ClientRegistry;
import dev.cluws.core.client.FanOutSenders;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyListener;
import dev.cluws.core.spi.SourceState;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's listener: numbers each reply, keeps it in the replay ring (recent replies for
 * clients that reconnect with {@code since=}) and the current state (the latest value of every
 * keyword of every actor, for snapshots), and has {@link FanOut} deliver it to the clients of the
 * {@link ClientRegistry}. Also tells clients about the source's state and lost replies, and runs
 * flow control ({@link #hasRoom()}). Runs on the source's delivery thread and never waits on a
 * client. {@link Joins} gives joining clients their replay and snapshot.
 *
 * <p>Ordering: numbering a reply, keeping it for replay, taking it into the state and fanning it
 * out happen in one step under one lock. A client's joining (and a snapshot it asks for later)
 * takes, under the same lock, only what it needs: its registration, the references to the replies
 * to replay, the state's values and the reply number, and holds the client's live frames back
 * ({@link ClientConnection#holdLive}); it filters, encodes and queues them outside the lock ({@link
 * Joins.Join#run}), then lets the live frames held back meanwhile follow. So a client never
 * receives a live reply twice, never misses one between replay and live, and never receives, after
 * its snapshot, a live reply whose values the snapshot already holds (its state never rolls back);
 * and the fan-out to everyone else never waits for a join. The lock is held by the source's
 * delivery thread for one fan-out, which only queues frames.
 */
public final class Hub implements ReplyListener {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final FrameCodec codec;
  private final GatewayStats stats;

  /** Guards the sequence, the ring, and the order of "numbered + kept" vs "client joins". */
  private final Object replayLock = new Object();

  /** Guards the source's state and whether the loss of the broker was announced. */
  private final Object stateLock = new Object();

  private final ReplayRing ring;
  private final StateStore state;
  private long sequence;
  private volatile long lastSequence;
  private final ClientRegistry registry;
  private final FanOut fanOut;

  /** Told when each reply's fan-out starts and ends, or {@code null}. */
  private final FanOutSenders senders;

  private final Joins joins;
  private volatile SourceState sourceState = SourceState.CONNECTING;
  private boolean brokerLost;

  /** When the source last left {@code UP} (under {@link #stateLock}), or {@code null}. */
  private Instant leftUpAt;

  /** What to do when the source lost replies: see {@link #setLossAction}. */
  private volatile LossAction lossAction;

  /** Told when the source lost replies; see {@link #setLossAction}. */
  @FunctionalInterface
  public interface LossAction {
    /**
     * Acts on a loss of replies.
     *
     * @param lastBefore the number of the last reply received before the loss
     * @param since no reply lost is older than this (when the source last left {@code UP}, or the
     *     loss was noticed)
     */
    void repliesLost(long lastBefore, Instant since);
  }

  /** Outboxes over their bound now: while any is, the source takes no more from the broker. */
  private final AtomicInteger outboxesOver = new AtomicInteger();

  private volatile Runnable resume = () -> {};
  private final Outbox.Pressure pressure =
      new Outbox.Pressure() {
        @Override
        public void over() {
          outboxesOver.incrementAndGet();
        }

        @Override
        public void under() {
          if (outboxesOver.decrementAndGet() == 0) {
            resume.run();
          }
        }
      };

  /**
   * A hub that keeps up to {@code replayFrames} recent replies (and {@code replayBytes} of their
   * frames) for replay; 0 frames turns replay off.
   */
  public Hub(FrameCodec codec, GatewayStats stats, int replayFrames, long replayBytes) {
    this(
        codec,
        stats,
        replayFrames,
        replayBytes,
        new StateStore(0, 1, 1, ""),
        new ClientRegistry(),
        null);
  }

  /** A hub over {@code registry}, with replay bounds and a current-state store for snapshots. */
  public Hub(
      FrameCodec codec, GatewayStats stats, GatewaySettings settings, ClientRegistry registry) {
    this(codec, stats, settings, registry, null);
  }

  /**
   * Like {@link #Hub(FrameCodec, GatewayStats, GatewaySettings, ClientRegistry)}, telling {@code
   * senders} (the outboxes' send executor, or {@code null}) when each reply's fan-out starts and
   * ends, so that a reply that follows a pause is written on the delivery thread.
   */
  public Hub(
      FrameCodec codec,
      GatewayStats stats,
      GatewaySettings settings,
      ClientRegistry registry,
      FanOutSenders senders) {
    this(
        codec,
        stats,
        settings.replayFrames(),
        settings.replayBytes(),
        new StateStore(
            settings.stateActors(),
            settings.stateKeywords(),
            settings.stateBytes(),
            settings.name()),
        registry,
        senders);
  }

  private Hub(
      FrameCodec codec,
      GatewayStats stats,
      int replayFrames,
      long replayBytes,
      StateStore state,
      ClientRegistry registry,
      FanOutSenders senders) {
    this.codec = codec;
    this.stats = stats;
    this.ring =
        replayFrames > 0 && replayBytes > 0 ? new ReplayRing(replayFrames, replayBytes) : null;
    this.state = state;
    this.registry = registry;
    this.senders = senders;
    this.fanOut = new FanOut(codec);
    this.joins = new Joins(codec, registry, ring, state, replayLock, () -> sequence);
  }

  @Override
  public void onReply(Reply delivered) {
    // Whatever a source hands over is an actor's reply, whatever its headers claim.
    Reply reply = delivered.withOrigin(Origin.ACTOR);
    stats.replyIn(reply);
    synchronized (replayLock) {
      long seq = ++sequence;
      lastSequence = seq;
      state.update(reply, Instant::now, seq);
      EncodedFrame frame;
      if (senders == null) {
        frame = fanOut.deliver(reply, seq, registry.current());
      } else {
        senders.fanOutStarts();
        try {
          frame = fanOut.deliver(reply, seq, registry.current());
        } finally {
          senders.fanOutEnds();
        }
      }
      if (ring != null) {
        // Kept with the frame the clients got, or unencoded (encoded on replay) when no client
        // took the reply as it is: a gateway nobody listens to never encodes.
        ring.add(seq, reply, frame);
      }
    }
  }

  /**
   * Tracks the source's state and tells every client when the gateway loses the broker and when it
   * has it back: a reply-shaped frame from the gateway ({@code w} on loss, {@code i} on recovery)
   * with the body {@code {"broker": "disconnected"|"connected", "text": "..."}}. Like every reply,
   * it passes through each client's filter chain.
   */
  @Override
  public void onStateChange(SourceState state) {
    SourceState previous;
    boolean announceLoss = false;
    boolean announceRecovery = false;
    synchronized (stateLock) {
      previous = sourceState;
      sourceState = state;
      if (previous == state) {
        return;
      }
      if (previous == SourceState.UP) {
        leftUpAt = Instant.now();
      } else if (state == SourceState.UP) {
        leftUpAt = null;
      }
      if (previous == SourceState.UP
          && (state == SourceState.DOWN || state == SourceState.RECOVERING)) {
        brokerLost = true;
        announceLoss = true;
      } else if (state == SourceState.UP && brokerLost) {
        brokerLost = false;
        announceRecovery = true;
      }
    }
    log.info("message source is {} (was {})", state, previous);
    stats.sourceStateChanged(previous, state);
    if (announceLoss) {
      broadcastStatus(
          MessageCode.WARNING,
          "disconnected",
          "the gateway lost its connection to the broker and is reconnecting; commands fail"
              + " until it is back");
    } else if (announceRecovery) {
      broadcastStatus(
          MessageCode.INFO, "connected", "the gateway is connected to the broker again");
    }
  }

  /**
   * Flow control: whether every client outbox (of the default {@code complete} policy) is within
   * its bound. While one is not, the source takes no more replies from the broker, so a client that
   * reads loses nothing when publishers outrun the gateway; the client that holds everyone back is
   * closed after the slow-client timeout (its outbox leaves the count when it closes).
   */
  @Override
  public boolean hasRoom() {
    return outboxesOver.get() == 0;
  }

  @Override
  public void setResumeAction(Runnable action) {
    resume = action;
  }

  /** What each {@code complete} outbox tells about its bound (see {@link #hasRoom()}). */
  public Outbox.Pressure pressure() {
    return pressure;
  }

  /** Outboxes over their bound now. */
  public int outboxesOverBound() {
    return outboxesOver.get();
  }

  /**
   * The source lost replies for good (its queue was gone): every client with a command in flight
   * receives, per such command, an {@code f} frame from the gateway saying its outcome is unknown
   * (the command is forgotten), and every client a {@code w} frame {@code {"broker":
   * "replies_lost"}}.
   */
  @Override
  public void onRepliesLost(String reason) {
    log.warn("replies may have been lost: {}", reason);
    Instant since;
    synchronized (stateLock) {
      since = leftUpAt != null ? leftUpAt : Instant.now();
    }
    long lastBefore;
    synchronized (replayLock) {
      lastBefore = sequence;
      if (ring != null) {
        // A client resuming from a reply before this point is told (or served from the history).
        ring.markLoss(lastBefore, reason);
      }
      for (ClientConnection client : registry.current()) {
        try {
          client
              .abandonCommands()
              .forEach(
                  (commandId, actor) -> {
                    ObjectNode body =
                        codec
                            .mapper()
                            .createObjectNode()
                            .put("outcome", "unknown")
                            .put(
                                "error",
                                "the outcome of command '"
                                    + commandId
                                    + "' to "
                                    + actor
                                    + " is unknown: the gateway lost its replies queue at the"
                                    + " broker, so replies to it may never arrive");
                    client.send(
                        codec.encode(codec.gatewayReply(MessageCode.FAILED, commandId, body), 0));
                  });
        } catch (RuntimeException e) {
          log.error("could not tell client {} about its commands", client.id(), e);
        }
      }
      ObjectNode body =
          codec
              .mapper()
              .createObjectNode()
              .put("broker", "replies_lost")
              .put(
                  "text",
                  "replies published while the gateway was away from the broker may have been"
                      + " missed: "
                      + reason);
      fanOut.deliver(codec.gatewayBroadcast(MessageCode.WARNING, body), 0, registry.current());
    }
    LossAction action = lossAction;
    if (action != null) {
      try {
        action.repliesLost(lastBefore, since);
      } catch (RuntimeException e) {
        log.warn("could not act on the lost replies: {}", e.toString());
      }
    }
  }

  /**
   * Sets what to do when the source lost replies, after the clients were told (the gateway repairs
   * its state from the shared history). It runs on the source's thread and must not block.
   */
  public void setLossAction(LossAction action) {
    lossAction = action;
  }

  /**
   * Repairs the state with one read from a history after replies were lost (see {@link
   * StateStore#repair}), under the hub's lock: a snapshot sees either none of it or all of it.
   * Returns how many keywords changed.
   */
  int repairState(StateStore repaired, long keepAfter) {
    synchronized (replayLock) {
      return state.repair(repaired, keepAfter);
    }
  }

  private void broadcastStatus(MessageCode code, String broker, String text) {
    ObjectNode body = codec.mapper().createObjectNode().put("broker", broker).put("text", text);
    synchronized (replayLock) {
      fanOut.deliver(codec.gatewayBroadcast(code, body), 0, registry.current());
    }
  }

  /** The source's last reported state. */
  public SourceState sourceState() {
    return sourceState;
  }

  /** The number of the last reply received (0 before the first). */
  public long lastSequence() {
    return lastSequence;
  }

  /** The number of the oldest reply kept for replay (0 when none is kept). */
  public long firstReplayableSequence() {
    synchronized (replayLock) {
      return ring == null ? 0 : ring.firstSeq();
    }
  }

  /** Replies kept for replay. */
  public int replayableCount() {
    return ring == null ? 0 : ring.size(); // a volatile read: metrics never wait for a fan-out
  }

  /** Whether this hub keeps the current state (and so can answer snapshot requests). */
  public boolean keepsState() {
    return state.enabled();
  }

  /** Actors whose state is kept. */
  public int stateActors() {
    return state.actorCount(); // a volatile read: metrics never wait for a fan-out
  }

  /** Estimated bytes of the state kept. */
  public long stateBytes() {
    return state.bytes();
  }

  /** Actors evicted from the state since start (beyond its bounds). */
  public long stateActorsEvicted() {
    return state.actorsEvicted.sum();
  }

  /** Keywords evicted from the state since start (beyond its bounds). */
  public long stateKeywordsEvicted() {
    return state.keywordsEvicted.sum();
  }

  /** An empty state store with this hub's bounds, to rebuild the state from a history into. */
  StateStore emptyState() {
    return state.emptyLike();
  }

  /**
   * Puts a state rebuilt from a history under the live one (see {@link StateStore#underlay}), under
   * the hub's lock: a snapshot sees either none of it or all of it.
   */
  void restoreState(StateStore rebuilt) {
    synchronized (replayLock) {
      state.underlay(rebuilt);
    }
  }

  /** Clients' joins: their replay and snapshots, taken under this hub's lock. */
  public Joins joins() {
    return joins;
  }

  /** The connected clients, a snapshot. */
  public List<ClientConnection> clients() {
    return registry.clients();
  }

  public int clientCount() {
    return registry.count();
  }
}
