package dev.cluws.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyListener;
import dev.cluws.core.spi.SourceState;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans replies out to clients: numbers each reply, runs each client's filter chain, encodes each
 * distinct result once and offers the frame to the client's outbox. Runs on the source's delivery
 * thread and never waits on a client.
 *
 * <p>Also the client registry: the array of connected clients, replaced on every connect and
 * disconnect (copy-on-write), so the fan-out loop reads it without locking; and the replay ring of
 * recent replies for clients that reconnect with {@code since=}.
 */
public final class Hub implements ReplyListener {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final FrameCodec codec;
  private final GatewayStats stats;
  /** Guards the sequence, the ring, and the order of "numbered + kept" vs "client joins". */
  private final Object replayLock = new Object();
  private final Object registryLock = new Object();
  private final ReplayRing ring;
  private long sequence;
  private volatile long lastSequence;
  private volatile ClientConnection[] clients = new ClientConnection[0];
  private volatile SourceState sourceState = SourceState.CONNECTING;
  private boolean brokerLost;

  /**
   * A hub that keeps up to {@code replayFrames} recent replies (and {@code replayBytes} of their
   * frames) for replay; 0 frames turns replay off.
   */
  public Hub(FrameCodec codec, GatewayStats stats, int replayFrames, long replayBytes) {
    this.codec = codec;
    this.stats = stats;
    this.ring = replayFrames > 0 && replayBytes > 0 ? new ReplayRing(replayFrames, replayBytes) : null;
  }

  @Override
  public void onReply(Reply reply) {
    stats.replyIn(reply);
    long seq;
    EncodedFrame frame = null;
    ClientConnection[] targets;
    synchronized (replayLock) {
      seq = ++sequence;
      lastSequence = seq;
      if (ring != null) {
        frame = codec.encode(reply, seq);
        ring.add(seq, reply, frame);
      }
      targets = clients;
    }
    fanOut(reply, seq, frame, targets);
  }

  /**
   * Offers the reply to every target whose chain accepts it, encoding each distinct result once
   * ({@code shared}, when given, is the reply's plain frame, already encoded).
   */
  private void fanOut(Reply reply, long seq, EncodedFrame shared, ClientConnection[] targets) {
    EncodedFrame numbered = null;
    for (ClientConnection client : targets) {
      try {
        Reply out = client.chain().apply(reply);
        if (out == null) {
          continue;
        }
        EncodedFrame frame;
        if (out != reply) {
          frame = codec.encode(out, seq, client.numbered());
        } else if (client.numbered() && seq > 0) {
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
        client.deliver(frame);
      } catch (RuntimeException e) {
        log.error("could not deliver reply {} to client {}", seq, client.id(), e);
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

  private void broadcastStatus(MessageCode code, String broker, String text) {
    ObjectNode body = codec.mapper().createObjectNode().put("broker", broker).put("text", text);
    fanOut(codec.gatewayReply(code, null, body), 0, null, clients);
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
    synchronized (replayLock) {
      return ring == null ? 0 : ring.size();
    }
  }

  void add(ClientConnection client) {
    synchronized (registryLock) {
      ClientConnection[] current = clients;
      ClientConnection[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = client;
      clients = next;
    }
  }

  /**
   * Registers a client that reconnects with {@code since} (a reply number or a message id): first
   * queues what it missed, through its filters, then a frame that says what was replayed (or what
   * gap could not be filled), then registers it for live replies. Atomic with respect to {@link
   * #onReply}: nothing is lost or doubled between replay and live.
   */
  void addWithReplay(ClientConnection client, String since) {
    synchronized (replayLock) {
      Replay plan = plan(since);
      int replayed = 0;
      for (ReplayRing.Entry entry : plan.entries()) {
        Reply out = client.chain().apply(entry.reply());
        if (out == null) {
          continue;
        }
        EncodedFrame frame =
            out == entry.reply() && !client.numbered()
                ? entry.frame()
                : codec.encode(out, entry.seq(), client.numbered());
        client.deliver(frame);
        replayed++;
      }
      ObjectNode body =
          codec
              .mapper()
              .createObjectNode()
              .put("replay", plan.gap() == null ? "complete" : "gap")
              .put("since", since)
              .put("replayed", replayed)
              .put("last", sequence);
      String text = "replayed " + replayed + " replies sent since " + since;
      if (plan.gap() != null) {
        text = plan.gap() + "; " + text;
      }
      body.put("text", text);
      client.send(
          codec.encode(
              codec.gatewayReply(
                  plan.gap() == null ? MessageCode.INFO : MessageCode.WARNING, null, body),
              0));
      add(client);
    }
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

  void remove(ClientConnection client) {
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
