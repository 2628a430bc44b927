package dev.cluws.core.reply;

import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.codec.ControlFrames;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A client's resume ({@code since=<message_id>} or {@code since=<ISO-8601 time>}) served from the
 * shared history when the replay ring does not have it: the client moved from another instance, or
 * this instance restarted, or the reply is older than the ring.
 *
 * <p>First the history is read from that point up to what it held when the read began ({@link
 * #read}): the replies after it, in the history's order, filtered for the client and encoded, and
 * the message ids of all of them. Then the client joins ({@link Joins#join(ClientConnection,
 * EncodedFrame, String, boolean, Plan)}), under the hub's lock as every join: it receives those
 * replies, then the replies of the ring this instance received that the history read did not have
 * (they came later), then live replies, skipping those the history read had already sent (the
 * instance's own queue may deliver a reply a moment after the history has it). So the client gets
 * every reply after its resume point once, as long as this instance's queue lags the history by
 * less than {@link #SKIP_WINDOW_NANOS}. When the history no longer keeps the resume point, or holds
 * more than the bounds allow, the client is told the exact gap.
 */
public final class HistoryResume {
  /** The most replies one resume sends from the history. */
  public static final int MAX_REPLIES = 10_000;

  /** The most bytes of frames one resume sends from the history. */
  public static final long MAX_BYTES = 16L * 1024 * 1024;

  /** How long live replies the history read already sent are skipped for a resumed client. */
  public static final long SKIP_WINDOW_NANOS = 60_000_000_000L;

  private final FrameCodec codec;
  private final ReplyHistory history;

  public HistoryResume(FrameCodec codec, ReplyHistory history) {
    this.codec = codec;
    this.history = history;
  }

  /**
   * What the history gave for one resume.
   *
   * @param frames the replies after the resume point the client may see, encoded, in order
   * @param ids the message ids of every reply after the resume point the read met (seen or not)
   * @param notBefore for a resume by time: replies of the ring older than it are not sent
   * @param ringToo whether the ring's later replies follow (not after a gap)
   * @param gap what could not be sent, exactly, or {@code null}
   */
  public record Plan(
      List<EncodedFrame> frames, Set<String> ids, Instant notBefore, boolean ringToo, String gap) {}

  /** Whether {@code since} is a time (else a message id or a reply number). */
  public static Instant timeOf(String since) {
    return ControlFrames.parseTime(since);
  }

  /** Reads the history after {@code since} (a message id or an ISO-8601 time) for the client. */
  public CompletionStage<Plan> read(ClientConnection client, String since) {
    Instant time = timeOf(since);
    Collector collector = new Collector(client, time == null ? since : null);
    return history
        .read(time == null ? Instant.EPOCH : time, collector)
        .thenApply(read -> collector.plan(since, time, read));
  }

  private final class Collector implements ReplyHistory.Visitor {
    private final ClientConnection client;
    private final String afterId;
    private boolean found;
    final List<EncodedFrame> frames = new ArrayList<>();
    final Set<String> ids = new HashSet<>();
    private long bytes;
    private String lastSent;
    private boolean truncated;

    Collector(ClientConnection client, String afterId) {
      this.client = client;
      this.afterId = afterId;
      this.found = afterId == null;
    }

    @Override
    public boolean accept(Reply stored) {
      if (client.isClosed()) {
        return false;
      }
      if (!found) {
        found = afterId.equals(stored.messageId());
        return true;
      }
      Reply reply = stored.withOrigin(Origin.ACTOR);
      if (ids.size() >= 10 * MAX_REPLIES) {
        truncated = true;
        return false;
      }
      if (reply.messageId() != null) {
        ids.add(reply.messageId());
      }
      if (!client.sees(reply)) {
        return true;
      }
      Reply out = client.ownReplyAlways(reply) ? reply : client.chain().apply(reply, client);
      if (out == null) {
        return true;
      }
      EncodedFrame frame = codec.encode(out, 0);
      if (frames.size() >= MAX_REPLIES || bytes + frame.size() > MAX_BYTES) {
        truncated = true;
        return false;
      }
      frames.add(frame);
      bytes += frame.size();
      lastSent = reply.messageId();
      return true;
    }

    Plan plan(String since, Instant time, ReplyHistory.Read read) {
      if (!found) {
        return new Plan(
            List.of(),
            Set.of(),
            null,
            false,
            "message_id '"
                + since
                + "' is neither among the replies this gateway keeps nor in the shared history "
                + history.name()
                + " (retention dropped it, or it never crossed the exchange), so what was missed"
                + " is unknown");
      }
      if (truncated) {
        return new Plan(
            frames,
            ids,
            time,
            false,
            "more replies were published since "
                + since
                + " than one resume sends ("
                + frames.size()
                + " replayed from the shared history); the replies after "
                + (lastSent == null ? "them" : "message_id " + lastSent)
                + " up to the first live reply are not sent: reconnect with since="
                + (lastSent == null ? since : lastSent)
                + " to receive them");
      }
      String gap = null;
      if (time != null && read.keptSince() != null) {
        gap =
            "replies from "
                + time
                + " to "
                + read.keptSince()
                + " are no longer kept in the shared history "
                + history.name()
                + " and are lost";
      }
      return new Plan(frames, ids, time, true, gap);
    }
  }
}
