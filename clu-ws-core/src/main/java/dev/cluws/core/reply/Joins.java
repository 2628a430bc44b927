package dev.cluws.core.reply;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.client.ClientRegistry;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.spi.Glob;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Clients' joins: the replay a client asks for with {@code since=}, the snapshot it asks for with
 * {@code snapshot=true} or a {@code snapshot} control frame. Under the hub's lock only a capture is
 * taken (registration, the ring's entries, the state's values, the reply number) and the client's
 * live frames are held back; {@link Join#run} filters, encodes and queues outside the lock, then
 * lets the live frames follow. See {@link Hub} for the order this keeps.
 */
public final class Joins {
  private final FrameCodec codec;
  private final ClientRegistry registry;
  private final ReplayRing ring;
  private final StateStore state;

  /** The hub's lock: held by the fan-out of each reply. */
  private final Object lock;

  /** The hub's reply number; read under {@link #lock}. */
  private final LongSupplier sequence;

  Joins(
      FrameCodec codec,
      ClientRegistry registry,
      ReplayRing ring,
      StateStore state,
      Object lock,
      LongSupplier sequence) {
    this.codec = codec;
    this.registry = registry;
    this.ring = ring;
    this.state = state;
    this.lock = lock;
    this.sequence = sequence;
  }

  /**
   * Whether the replay ring holds the reply with this message id and every reply published after it
   * (so a resume from it needs no history): {@code false} when the ring does not have it, or when
   * the source lost replies after it; {@code false} for a number (a reply number is this process's
   * own).
   */
  public boolean ringHasEverythingSince(String messageId) {
    synchronized (lock) {
      if (ring == null) {
        return false;
      }
      long seq = ring.seqOf(messageId);
      return seq >= 0 && ring.lossAfter(seq) == null;
    }
  }

  /** Whether the gateway keeps the current state (and so can answer snapshot requests). */
  public boolean keepsState() {
    return state.enabled();
  }

  /**
   * Begins a client's joining: registers it for live replies, first (so that a client closed while
   * its first frames are queued is removed again, and never stays registered), and, in the same
   * step (atomic with respect to {@link Hub#onReply}), holds its live frames back and takes what it
   * will receive before them: the replies after {@code since} (a reply number or a message id) and
   * the current state ({@code snapshot}). The returned {@link Join}, run at once on the same
   * thread, filters and encodes that outside the hub's lock and queues it: {@code first} (when not
   * {@code null}), the replay and a frame that says what was replayed (or what gap could not be
   * filled), the snapshot and its end; then the live frames held back meanwhile. Nothing is lost or
   * doubled between replay, snapshot and live, and the fan-out to other clients never waits for it.
   */
  public Join join(ClientConnection client, EncodedFrame first, String since, boolean snapshot) {
    return join(client, first, since, snapshot, null);
  }

  /**
   * {@link #join(ClientConnection, EncodedFrame, String, boolean)} for a resume that the shared
   * history served ({@code history} not {@code null}, read by {@link HistoryResume#read}): the
   * replay is the history's replies, then the ring's replies the history did not have; live replies
   * the history already sent are skipped.
   */
  public Join join(
      ClientConnection client,
      EncodedFrame first,
      String since,
      boolean snapshot,
      HistoryResume.Plan history) {
    client.joinLock().lock();
    try {
      synchronized (lock) {
        // Registered before anything is queued for it: a send that fails now closes the client,
        // and its close finds it here and removes it (it is never left registered once closed).
        registry.add(client);
        client.holdLive();
        return new Join(
            client,
            first,
            since,
            since == null
                ? null
                : history != null ? planAfter(history, since, client) : plan(since),
            sequence.getAsLong(),
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
      synchronized (lock) {
        client.holdLive();
        join =
            new Join(
                client,
                null,
                null,
                null,
                sequence.getAsLong(),
                state.snapshot(actors),
                commandId,
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
    for (EncodedFrame frame : plan.before()) {
      if (client.isClosed()) {
        return;
      }
      client.sendAhead(frame, false);
      replayed++;
    }
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
    if (!plan.before().isEmpty()) {
      body.put("from_history", plan.before().size());
    }
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

  private record Replay(List<ReplayRing.Entry> entries, String gap, List<EncodedFrame> before) {
    Replay(List<ReplayRing.Entry> entries, String gap) {
      this(entries, gap, List.of());
    }
  }

  /**
   * The replay after a history read: its replies first, then those of the ring it did not have
   * (received later, or older than a resume time); the client skips, for a while, the live replies
   * it had. Under the hub's lock.
   */
  private Replay planAfter(HistoryResume.Plan history, String since, ClientConnection client) {
    List<ReplayRing.Entry> later = new ArrayList<>();
    Set<String> inRing = new HashSet<>();
    if (ring != null && history.ringToo() && ring.size() > 0) {
      // The ring may hold the resume point itself (the source lost replies after it): only what
      // follows it is missed.
      long after = Math.max(ring.firstSeq() - 1, ring.seqOf(since));
      for (ReplayRing.Entry entry : ring.after(after)) {
        String id = entry.reply().messageId();
        if (id != null) {
          inRing.add(id);
        }
        if (id != null && history.ids().contains(id)) {
          continue;
        }
        Instant at = entry.reply().timestamp();
        if (history.notBefore() != null && at != null && at.isBefore(history.notBefore())) {
          continue;
        }
        later.add(entry);
      }
    }
    Set<String> notYetLive = new HashSet<>(history.ids());
    notYetLive.removeAll(inRing);
    if (!notYetLive.isEmpty()) {
      client.skipLive(notYetLive, HistoryResume.SKIP_WINDOW_NANOS);
    }
    return new Replay(later, history.gap(), history.frames());
  }

  /** What to replay after {@code since}, and what gap (if any) cannot be filled. */
  private Replay plan(String since) {
    long last = sequence.getAsLong();
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
    }
    if (after > last) {
      return new Replay(
          List.of(),
          "reply "
              + after
              + " is newer than the gateway's last ("
              + last
              + "): the gateway restarted and numbers replies anew");
    }
    Replay kept = keptAfter(after, last);
    return new Replay(kept.entries(), lossText(after, kept.gap()));
  }

  /** What the ring keeps of the replies after {@code after} up to {@code last}, and what not. */
  private Replay keptAfter(long after, long last) {
    if (after >= last) {
      return new Replay(List.of(), null);
    }
    if (ring.size() == 0) {
      return new Replay(
          List.of(), "replies " + (after + 1) + " to " + last + " are no longer kept and are lost");
    }
    long first = ring.firstSeq();
    if (after + 1 >= first) {
      return new Replay(ring.after(after), null);
    }
    return new Replay(
        ring.after(after),
        "replies " + (after + 1) + " to " + (first - 1) + " are no longer kept and are lost");
  }

  /**
   * The gap of a replay after reply {@code after}: {@code kept} (what the ring no longer keeps, or
   * {@code null}), and where the source lost replies after that reply, if it did.
   */
  private String lossText(long after, String kept) {
    ReplayRing.Loss loss = ring.lossAfter(after);
    if (loss == null) {
      return kept;
    }
    String lost =
        "replies published after reply "
            + loss.after()
            + " may be missing: the gateway did not receive them ("
            + loss.reason()
            + ")";
    return kept == null ? lost : kept + "; " + lost;
  }
}
