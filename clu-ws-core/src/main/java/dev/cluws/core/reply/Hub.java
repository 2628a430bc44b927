package dev.cluws.core.reply;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.GatewayStats;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.spi.Glob;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyListener;
import dev.cluws.core.spi.SourceState;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans replies out to clients: numbers each reply, runs each client's filter chain, encodes each
 * distinct result once and offers the frame to the client's outbox. Runs on the source's delivery
 * thread and never waits on a client.
 *
 * <p>Also the client registry: the array of connected clients, replaced on every connect and
 * disconnect (copy-on-write), so the fan-out loop reads it without locking; the replay ring of
 * recent replies for clients that reconnect with {@code since=}; and the current state (the latest
 * value of every keyword of every actor) for snapshots.
 *
 * <p>Ordering: numbering a reply, keeping it for replay, taking it into the state and fanning it
 * out happen in one step under one lock. A client's joining (and a snapshot it asks for later)
 * takes, under the same lock, only what it needs: its registration, the references to the replies
 * to replay, the state's values and the reply number, and holds the client's live frames back
 * ({@link ClientConnection#holdLive}); it filters, encodes and queues them outside the lock
 * ({@link Join#run}), then lets the live frames held back meanwhile follow. So a client never
 * receives a live reply twice, never misses one between replay and live, and never receives,
 * after its snapshot, a live reply whose values the snapshot already holds (its state never rolls
 * back); and the fan-out to everyone else never waits for a join. The lock is held by the source's
 * delivery thread for one fan-out, which only queues frames.
 */
public final class Hub implements ReplyListener {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final FrameCodec codec;
  private final GatewayStats stats;
  /** Guards the sequence, the ring, and the order of "numbered + kept" vs "client joins". */
  private final Object replayLock = new Object();
  private final Object registryLock = new Object();
  private final ReplayRing ring;
  private final StateStore state;
  private long sequence;
  private volatile long lastSequence;
  private volatile ClientConnection[] clients = new ClientConnection[0];
  private volatile SourceState sourceState = SourceState.CONNECTING;
  private boolean brokerLost;
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
    this(codec, stats, replayFrames, replayBytes, new StateStore(0, 1, 1, ""));
  }

  /** A hub with replay bounds and a current-state store for snapshots. */
  public Hub(FrameCodec codec, GatewayStats stats, GatewaySettings settings) {
    this(
        codec,
        stats,
        settings.replayFrames(),
        settings.replayBytes(),
        new StateStore(
            settings.stateActors(),
            settings.stateKeywords(),
            settings.stateBytes(),
            settings.name()));
  }

  private Hub(
      FrameCodec codec, GatewayStats stats, int replayFrames, long replayBytes, StateStore state) {
    this.codec = codec;
    this.stats = stats;
    this.ring = replayFrames > 0 && replayBytes > 0 ? new ReplayRing(replayFrames, replayBytes) : null;
    this.state = state;
  }

  @Override
  public void onReply(Reply delivered) {
    // Whatever a source hands over is an actor's reply, whatever its headers claim.
    Reply reply = delivered.withOrigin(Origin.ACTOR);
    stats.replyIn(reply);
    synchronized (replayLock) {
      long seq = ++sequence;
      lastSequence = seq;
      state.update(reply, Instant::now);
      EncodedFrame frame = fanOut(reply, seq, clients);
      if (ring != null) {
        // Kept with the frame the clients got, or unencoded (encoded on replay) when no client
        // took the reply as it is: a gateway nobody listens to never encodes.
        ring.add(seq, reply, frame);
      }
    }
  }

  /**
   * Offers the reply to every target whose chain accepts it, encoding each distinct result once:
   * clients whose filters leave the reply unchanged share one frame, and clients whose filters
   * rewrite it to equal replies (the same keywords kept, say) share another. Returns the reply's
   * plain frame if a client needed it, else {@code null}.
   */
  @SuppressWarnings("ReferenceEquality") // the same instance: no filter rewrote the reply
  private EncodedFrame fanOut(Reply reply, long seq, ClientConnection[] targets) {
    EncodedFrame shared = null;
    EncodedFrame numbered = null;
    Map<Reply, EncodedFrame[]> rewritten = null;
    Reply lastOut = null;
    EncodedFrame[] lastFrames = null;
    String finishedCommand =
        reply.messageCode().map(MessageCode::isFinal).orElse(false) ? reply.commandId() : null;
    for (ClientConnection client : targets) {
      try {
        Reply out;
        if (!client.sees(reply)) {
          out = null;
        } else if (client.ownReplyAlways(reply)) {
          out = reply;
        } else {
          out = client.chain().apply(reply, client);
        }
        // Whether or not it receives the reply, the client's command is over.
        boolean ownFinal =
            finishedCommand != null && client.commandFinished(reply.sender(), finishedCommand);
        if (out == null) {
          continue;
        }
        boolean wantsNumber = client.numbered() && seq > 0;
        EncodedFrame frame;
        if (out != reply) {
          EncodedFrame[] frames;
          if (out == lastOut) {
            frames = lastFrames; // filters that share their results: no hashing of the reply
          } else {
            if (rewritten == null) {
              rewritten = new HashMap<>();
            }
            frames = rewritten.computeIfAbsent(out, r -> new EncodedFrame[2]);
            lastOut = out;
            lastFrames = frames;
          }
          int slot = wantsNumber ? 1 : 0;
          if (frames[slot] == null) {
            frames[slot] = codec.encode(out, seq, wantsNumber);
          }
          frame = frames[slot];
        } else if (wantsNumber) {
          if (numbered == null) {
            numbered = codec.encode(reply, seq, true);
          }
          frame = numbered;
        } else {
          if (shared == null) {
            shared = codec.encode(reply, seq);
          }
          frame = shared;
        }
        client.deliver(frame, ownFinal);
      } catch (RuntimeException e) {
        log.error("could not deliver reply {} to client {}", seq, client.id(), e);
      }
    }
    return shared;
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
    synchronized (registryLock) {
      previous = sourceState;
      sourceState = state;
      if (previous == state) {
        return;
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
   * Flow control: whether every client outbox (of the default {@code complete} policy) is within its
   * bound. While one is not, the source takes no more replies from the broker, so a client that
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
    synchronized (replayLock) {
      for (ClientConnection client : clients) {
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
                        codec.encode(
                            codec.gatewayReply(MessageCode.FAILED, commandId, body), 0));
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
      fanOut(codec.gatewayBroadcast(MessageCode.WARNING, body), 0, clients);
    }
  }

  private void broadcastStatus(MessageCode code, String broker, String text) {
    ObjectNode body = codec.mapper().createObjectNode().put("broker", broker).put("text", text);
    synchronized (replayLock) {
      fanOut(codec.gatewayBroadcast(code, body), 0, clients);
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

  void add(ClientConnection client) {
    synchronized (registryLock) {
      if (client.isClosed()) {
        return; // left already (its close found nothing to remove): never register it
      }
      ClientConnection[] current = clients;
      ClientConnection[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = client;
      clients = next;
    }
  }

  /**
   * Begins a client's joining: registers it for live replies, first (so that a client closed while
   * its first frames are queued is removed again, and never stays registered), and, in the same
   * step (atomic with respect to {@link #onReply}), holds its live frames back and takes what it
   * will receive before them: the replies after {@code since} (a reply number or a message id) and
   * the current state ({@code snapshot}). The returned {@link Join}, run at once on the same
   * thread, filters and encodes that outside the hub's lock and queues it: {@code first} (when not
   * {@code null}), the replay and a frame that says what was replayed (or what gap could not be
   * filled), the snapshot and its end; then the live frames held back meanwhile. Nothing is lost
   * or doubled between replay, snapshot and live, and the fan-out to other clients never waits for
   * it.
   */
  public Join join(ClientConnection client, EncodedFrame first, String since, boolean snapshot) {
    client.joinLock().lock();
    try {
      synchronized (replayLock) {
        // Registered before anything is queued for it: a send that fails now closes the client,
        // and its close finds it here and removes it (it is never left registered once closed).
        add(client);
        client.holdLive();
        return new Join(
            client,
            first,
            since,
            since == null ? null : plan(since),
            sequence,
            snapshot ? state.snapshot(List.of()) : null,
            null,
            MessageCode.INFO);
      }
    } catch (RuntimeException | Error e) {
      client.releaseLive();
      client.joinLock().unlock();
      throw e;
    }
  }

  /**
   * Sends a connected client the current state of the actors whose names match one of the patterns
   * (all actors when there are none), then a {@code :} frame from the gateway that ends the
   * snapshot. Every live reply the snapshot holds was queued to the client before it, and every
   * later one is queued after it; the state is taken under the hub's lock, and filtered and encoded
   * outside it. Returns how many actors' frames the client's filters let through.
   */
  public int sendSnapshot(ClientConnection client, List<Glob> actors, String commandId) {
    client.joinLock().lock();
    Join join;
    try {
      synchronized (replayLock) {
        client.holdLive();
        join =
            new Join(
                client, null, null, null, sequence, state.snapshot(actors), commandId,
                MessageCode.DONE);
      }
    } catch (RuntimeException | Error e) {
      client.releaseLive();
      client.joinLock().unlock();
      throw e;
    }
    return join.run();
  }

  /**
   * One client's replay and snapshot, taken under the hub's lock by {@link #join} or {@link
   * #sendSnapshot}: references to the kept replies and the state's values, nothing encoded. {@link
   * #run} filters (the client's visibility, then its chain), encodes and queues them ahead of the
   * client's live frames, then lets the live frames follow. Run once, on the thread that made it.
   */
  public final class Join {
    private final ClientConnection client;
    private final EncodedFrame first;
    private final String since;
    private final Replay replay;
    private final long last;
    private final List<StateStore.ActorSnapshot> snapshot;
    private final String commandId;
    private final MessageCode doneCode;
    private boolean ran;

    private Join(
        ClientConnection client,
        EncodedFrame first,
        String since,
        Replay replay,
        long last,
        List<StateStore.ActorSnapshot> snapshot,
        String commandId,
        MessageCode doneCode) {
      this.client = client;
      this.first = first;
      this.since = since;
      this.replay = replay;
      this.last = last;
      this.snapshot = snapshot;
      this.commandId = commandId;
      this.doneCode = doneCode;
    }

    /**
     * Queues the replay and the snapshot, then the live frames held back meanwhile; returns how
     * many actors' snapshot frames the client's filters let through. Stops early, keeping nothing,
     * when the client closes meanwhile.
     */
    public int run() {
      if (ran) {
        throw new IllegalStateException("a join runs once");
      }
      ran = true;
      try {
        if (first != null) {
          client.sendAhead(first, true);
        }
        if (replay != null) {
          replay(client, since, replay, last);
        }
        int sent = 0;
        if (snapshot != null) {
          sent = queueSnapshot(client, snapshot, commandId);
          client.sendAhead(codec.encode(snapshotDone(doneCode, commandId, sent), 0), true);
        }
        return sent;
      } finally {
        client.releaseLive();
        client.joinLock().unlock();
      }
    }
  }

  @SuppressWarnings("ReferenceEquality") // the same instance: no filter rewrote the reply
  private void replay(ClientConnection client, String since, Replay plan, long last) {
    int replayed = 0;
    for (ReplayRing.Entry entry : plan.entries()) {
      if (client.isClosed()) {
        return;
      }
      if (!client.sees(entry.reply())) {
        continue;
      }
      Reply out =
          client.ownReplyAlways(entry.reply())
              ? entry.reply()
              : client.chain().apply(entry.reply(), client);
      if (out == null) {
        continue;
      }
      EncodedFrame frame =
          out == entry.reply() && !client.numbered()
              ? entry.frame(codec)
              : codec.encode(out, entry.seq(), client.numbered());
      client.sendAhead(frame, false);
      replayed++;
    }
    ObjectNode body =
        codec
            .mapper()
            .createObjectNode()
            .put("replay", plan.gap() == null ? "complete" : "gap")
            .put("since", since)
            .put("replayed", replayed)
            .put("last", last);
    String text = "replayed " + replayed + " replies sent since " + since;
    if (plan.gap() != null) {
      text = plan.gap() + "; " + text;
    }
    body.put("text", text);
    client.sendAhead(
        codec.encode(
            codec.gatewayReply(
                plan.gap() == null ? MessageCode.INFO : MessageCode.WARNING, null, body),
            0),
        true);
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

  private int queueSnapshot(
      ClientConnection client, List<StateStore.ActorSnapshot> actors, String commandId) {
    int sent = 0;
    for (StateStore.ActorSnapshot actor : actors) {
      if (client.isClosed()) {
        return sent;
      }
      Reply frame = codec.snapshotReply(actor.actor(), commandId, actor.body(), actor.newest());
      if (!client.sees(frame)) {
        continue;
      }
      Reply out = client.chain().apply(frame, client);
      if (out != null) {
        client.sendAhead(codec.encode(out, 0), true);
        sent++;
      }
    }
    return sent;
  }

  private Reply snapshotDone(MessageCode code, String commandId, int actors) {
    ObjectNode body =
        codec
            .mapper()
            .createObjectNode()
            .put("control", "snapshot")
            .put("actors", actors)
            .put(
                "text",
                actors == 0
                    ? "snapshot: the gateway holds no state for the actors asked for"
                    : "snapshot of " + actors + (actors == 1 ? " actor" : " actors") + " sent");
    return codec.gatewayReply(code, commandId, body);
  }

  private record Replay(List<ReplayRing.Entry> entries, String gap) {}

  /** What to replay after {@code since}, and what gap (if any) cannot be filled. */
  private Replay plan(String since) {
    if (ring == null) {
      return new Replay(List.of(), "this gateway keeps no replies for replay");
    }
    long after;
    try {
      after = Long.parseLong(since);
    } catch (NumberFormatException notANumber) {
      after = ring.seqOf(since);
      if (after < 0) {
        return new Replay(
            List.of(),
            "message_id '"
                + since
                + "' is not among the "
                + ring.size()
                + " replies kept, so what was missed is unknown");
      }
      return new Replay(ring.after(after), null);
    }
    if (after > sequence) {
      return new Replay(
          List.of(),
          "reply " + after + " is newer than the gateway's last (" + sequence
              + "): the gateway restarted and numbers replies anew");
    }
    if (after >= sequence) {
      return new Replay(List.of(), null);
    }
    if (ring.size() == 0) {
      return new Replay(
          List.of(),
          "replies " + (after + 1) + " to " + sequence + " are no longer kept and are lost");
    }
    long first = ring.firstSeq();
    if (after + 1 >= first) {
      return new Replay(ring.after(after), null);
    }
    return new Replay(
        ring.after(after),
        "replies " + (after + 1) + " to " + (first - 1) + " are no longer kept and are lost");
  }

  public void remove(ClientConnection client) {
    synchronized (registryLock) {
      ClientConnection[] current = clients;
      for (int i = 0; i < current.length; i++) {
        if (current[i] == client) {
          ClientConnection[] next = new ClientConnection[current.length - 1];
          System.arraycopy(current, 0, next, 0, i);
          System.arraycopy(current, i + 1, next, i, current.length - i - 1);
          clients = next;
          return;
        }
      }
    }
  }

  /** The connected clients, a snapshot. */
  public List<ClientConnection> clients() {
    return List.of(clients);
  }

  public int clientCount() {
    return clients.length;
  }
}
