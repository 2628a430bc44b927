package dev.cluws.core.reply;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.spi.Glob;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyHistory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clients' requests for history: the replies of some actors since a time, read from the shared
 * {@link ReplyHistory} (a {@code history} control frame, or {@code history=} at connect).
 *
 * <p>Each request is bounded: at most {@code limit} replies (never more than {@value #MAX_REPLIES})
 * and {@value #MAX_BYTES} bytes of frames; a client has at most one request in flight. What the
 * client may see applies as on every path: its role's visibility first, then its filters (as for a
 * replay), then the actors the request names. The read runs on the history's thread, never on the
 * client's; the frames are queued to the client in order as they are read (within the bounds), each
 * an actor's reply with the extra header {@code "history": true}, followed by one frame from the
 * gateway that ends the answer: {@code {"control": "history", "replies": n, "complete": ...}}.
 * History frames are not live frames: they follow the live frames queued before the answer, and
 * count against the client's outbox like them (a client that does not read them is closed as too
 * slow, like any).
 */
public final class HistoryRequests {
  private static final Logger log = LoggerFactory.getLogger(HistoryRequests.class);

  /** The most replies one request returns. */
  public static final int MAX_REPLIES = 10_000;

  /** The most bytes of frames one request returns. */
  public static final long MAX_BYTES = 16L * 1024 * 1024;

  /**
   * A read goes on while the client's outbox holds at most this many frames (and {@link
   * #PACE_BYTES}): the history is read at the pace the client takes it, so an answer never fills
   * the outbox (which would hold back live replies, or shed them), nor the gateway's heap.
   */
  public static final int PACE_FRAMES = 512;

  /** See {@link #PACE_FRAMES}. */
  public static final long PACE_BYTES = 512L * 1024;

  /** The header, {@code true}, on every frame of an answer to a history request. */
  public static final String HISTORY = "history";

  private final FrameCodec codec;
  private final ReplyHistory history;
  private final Set<ClientConnection> inFlight = ConcurrentHashMap.newKeySet();
  private final LongAdder served = new LongAdder();

  public HistoryRequests(FrameCodec codec, ReplyHistory history) {
    this.codec = codec;
    this.history = history;
  }

  /** The history's name, for messages. */
  public String historyName() {
    return history.name();
  }

  /** Requests answered since start. */
  public long servedCount() {
    return served.sum();
  }

  /**
   * Starts answering a request and returns at once; {@code false} (nothing started) when the client
   * has a request in flight already.
   *
   * @param from the oldest reply time asked for
   * @param actors names or patterns of the actors asked for; empty for every actor
   * @param limit the most replies to return (capped at {@value #MAX_REPLIES})
   * @param commandId echoed in the end frame, or {@code null}
   * @param doneCode the end frame's code when nothing is missing ({@code :} for a control frame,
   *     {@code i} at connect)
   */
  public boolean serve(
      ClientConnection client,
      Instant from,
      List<Glob> actors,
      int limit,
      String commandId,
      MessageCode doneCode) {
    if (!inFlight.add(client)) {
      return false;
    }
    Collector collector = new Collector(client, actors, Math.min(Math.max(limit, 1), MAX_REPLIES));
    try {
      history
          .read(from, collector)
          .whenComplete(
              (read, failure) -> {
                inFlight.remove(client);
                try {
                  if (failure != null) {
                    log.warn(
                        "history request of client {} failed: {}", client.id(), failure.toString());
                    client.send(
                        codec.errorFrame(
                            MessageCode.ERROR,
                            commandId,
                            "history request failed after "
                                + collector.sent
                                + " replies: the history could not be read ("
                                + rootMessage(failure)
                                + "); ask again later"));
                    return;
                  }
                  served.increment();
                  client.send(codec.encode(collector.end(from, read, commandId, doneCode), 0));
                } catch (RuntimeException e) {
                  log.warn("could not answer the history request of client {}", client.id(), e);
                }
              });
    } catch (RuntimeException e) {
      inFlight.remove(client);
      throw e;
    }
    return true;
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  /** The replies of one request, filtered and encoded on the history's thread, within bounds. */
  private final class Collector implements ReplyHistory.Visitor {
    private final ClientConnection client;
    private final List<Glob> actors;
    private final int limit;

    /** Frames queued to the client so far (as they are read: sending overlaps the read). */
    int sent;

    private long bytes;
    private String bound;
    private Instant lastAt;

    Collector(ClientConnection client, List<Glob> actors, int limit) {
      this.client = client;
      this.actors = actors;
      this.limit = limit;
    }

    @Override
    public boolean wants(String sender) {
      if (actors.isEmpty()) {
        return true;
      }
      if (sender == null) {
        return false;
      }
      for (Glob actor : actors) {
        if (actor.matches(sender)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean ready() {
      Outbox outbox = client.outbox();
      return client.isClosed()
          || (outbox.queued() <= PACE_FRAMES && outbox.queuedBytes() <= PACE_BYTES);
    }

    @Override
    public boolean accept(Reply stored) {
      if (client.isClosed()) {
        return false;
      }
      Reply reply = stored.withOrigin(Origin.ACTOR);
      if (!wants(reply.sender())) {
        return true;
      }
      if (!client.sees(reply)) {
        return true;
      }
      Reply out = client.ownReplyAlways(reply) ? reply : client.chain().apply(reply, client);
      if (out == null) {
        return true;
      }
      EncodedFrame frame = codec.encode(marked(out), 0);
      if (bytes + frame.size() > MAX_BYTES) {
        bound = "bytes";
        return false;
      }
      client.deliver(frame, false);
      sent++;
      bytes += frame.size();
      if (out.timestamp() != null) {
        lastAt = out.timestamp();
      }
      if (sent >= limit) {
        bound = "replies";
        return false;
      }
      return true;
    }

    Reply end(Instant from, ReplyHistory.Read read, String commandId, MessageCode doneCode) {
      ObjectNode body =
          codec
              .mapper()
              .createObjectNode()
              .put("control", HISTORY)
              .put("replies", sent)
              .put("since", from.truncatedTo(ChronoUnit.SECONDS).toString());
      boolean gap = read.keptSince() != null;
      boolean complete = bound == null && !gap;
      body.put("complete", complete);
      StringBuilder text =
          new StringBuilder()
              .append(sent)
              .append(sent == 1 ? " reply" : " replies")
              .append(" from history ")
              .append(history.name())
              .append(" since ")
              .append(from.truncatedTo(ChronoUnit.SECONDS));
      if (bound != null) {
        body.put("limit", bound);
        Instant last = lastAt;
        if (last != null) {
          body.put("next_since", last.toString());
        }
        text.append("; stopped at the limit of ")
            .append(bound.equals("bytes") ? MAX_BYTES + " bytes" : limit + " replies")
            .append(
                last == null
                    ? ""
                    : ": ask again with since="
                        + last
                        + " for the rest (replies of that second may repeat)");
      }
      if (gap) {
        body.put("kept_since", read.keptSince().toString());
        text.append("; the history keeps replies only since ")
            .append(read.keptSince())
            .append(": older ones are no longer kept");
      }
      body.put("text", text.toString());
      return codec.gatewayReply(gap ? MessageCode.WARNING : doneCode, commandId, body);
    }

    /** The reply with the history header; its body stays the JSON text it came as (not parsed). */
    private Reply marked(Reply reply) {
      return reply.withHeader(HISTORY, true);
    }
  }
}
