package dev.cluws.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyListener;
import dev.cluws.core.spi.SourceState;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans replies out to clients: numbers each reply, runs each client's filter chain, encodes each
 * distinct result once and offers the frame to the client's outbox. Runs on the source's delivery
 * thread and never waits on a client.
 *
 * <p>Also the client registry: the array of connected clients, replaced on every connect and
 * disconnect (copy-on-write), so the fan-out loop reads it without locking.
 */
public final class Hub implements ReplyListener {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final FrameCodec codec;
  private final GatewayStats stats;
  private final AtomicLong sequence = new AtomicLong();
  private final Object registryLock = new Object();
  private volatile ClientConnection[] clients = new ClientConnection[0];
  private volatile SourceState sourceState = SourceState.CONNECTING;
  private boolean brokerLost;

  public Hub(FrameCodec codec, GatewayStats stats) {
    this.codec = codec;
    this.stats = stats;
  }

  @Override
  public void onReply(Reply reply) {
    stats.repliesIn.increment();
    fanOut(reply, sequence.incrementAndGet());
  }

  /** Offers the reply to every client whose chain accepts it, encoding each distinct result once. */
  private void fanOut(Reply reply, long seq) {
    EncodedFrame shared = null;
    for (ClientConnection client : clients) {
      try {
        Reply out = client.chain().apply(reply);
        if (out == null) {
          continue;
        }
        EncodedFrame frame;
        if (out == reply) {
          if (shared == null) {
            shared = codec.encode(reply, seq);
          }
          frame = shared;
        } else {
          frame = codec.encode(out, seq);
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
    fanOut(codec.gatewayReply(code, null, body), 0);
  }

  /** The source's last reported state. */
  public SourceState sourceState() {
    return sourceState;
  }

  /** The number of the last reply received (0 before the first). */
  public long lastSequence() {
    return sequence.get();
  }

  void add(ClientConnection client) {
    synchronized (registryLock) {
      ClientConnection[] current = clients;
      ClientConnection[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = client;
      clients = next;
    }
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
