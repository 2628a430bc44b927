package dev.cluws.core.reply;

import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.spi.Reply;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recent replies the gateway forwarded, with their numbers and, when clients received them
 * unchanged, their shared frames, for clients that reconnect with {@code since=}. A reply no client
 * took as it is is kept unencoded and encoded when it is replayed, so a gateway nobody listens to
 * never encodes. Bounded in count and in bytes (a frame's size, or for an unencoded reply an
 * estimate of its size that errs high); the oldest go first. It also remembers where the source
 * lost replies (its queue was gone): the ring then holds every reply the gateway received, but not
 * every reply published, and a replay across such a place is not complete. Not thread-safe: the
 * {@link Hub} guards it.
 */
final class ReplayRing {
  /** Frame fields besides the headers' values and the body, roughly. */
  private static final int FRAME_OVERHEAD = 256;

  /** One kept reply. */
  static final class Entry {
    private final long seq;
    private final Reply reply;
    private final long size;

    /** Encoded at most once or twice (two joins at once); an encoded frame is immutable. */
    private volatile EncodedFrame frame;

    Entry(long seq, Reply reply, EncodedFrame frame, long size) {
      this.seq = seq;
      this.reply = reply;
      this.frame = frame;
      this.size = size;
    }

    long seq() {
      return seq;
    }

    Reply reply() {
      return reply;
    }

    /** The reply's plain frame, encoded now if it was kept unencoded. */
    EncodedFrame frame(FrameCodec codec) {
      if (frame == null) {
        frame = codec.encode(reply, seq);
      }
      return frame;
    }
  }

  /**
   * A place where the source lost replies: some published after reply {@code after} (and before the
   * next one) never reached the gateway.
   */
  record Loss(long after, String reason) {}

  /** The most losses remembered (older ones go first; each outage makes one). */
  static final int MAX_LOSSES = 64;

  private final Entry[] entries;
  private final ArrayDeque<Loss> losses = new ArrayDeque<>();
  private final long maxBytes;
  private final Map<String, Long> seqByMessageId = new HashMap<>();
  private int start;

  /** Written under the hub's lock, read without it (metrics). */
  private volatile int size;

  private long bytes;

  ReplayRing(int capacity, long maxBytes) {
    this.entries = new Entry[capacity];
    this.maxBytes = maxBytes;
  }

  /** Keeps a reply with its plain frame, or with {@code null} to encode it only if replayed. */
  void add(long seq, Reply reply, EncodedFrame frame) {
    long entrySize = frame != null ? frame.size() : estimateSize(reply);
    while (size > 0 && (size == entries.length || bytes + entrySize > maxBytes)) {
      evictOldest();
    }
    if (entrySize > maxBytes) {
      return; // larger than the whole ring
    }
    Entry entry = new Entry(seq, reply, frame, entrySize);
    entries[(start + size) % entries.length] = entry;
    size++;
    bytes += entrySize;
    if (reply.messageId() != null) {
      seqByMessageId.put(reply.messageId(), seq);
    }
  }

  private void evictOldest() {
    Entry oldest = entries[start];
    entries[start] = null;
    start = (start + 1) % entries.length;
    size--;
    bytes -= oldest.size;
    String messageId = oldest.reply().messageId();
    if (messageId != null) {
      seqByMessageId.remove(messageId, oldest.seq());
    }
    // A loss before the reply before the oldest kept one is behind every resume the ring serves.
    long first = firstSeq();
    while (!losses.isEmpty() && size > 0 && losses.peekFirst().after() < first - 1) {
      losses.removeFirst();
    }
  }

  /** Remembers that the source lost replies published after reply {@code after}. */
  void markLoss(long after, String reason) {
    if (losses.size() == MAX_LOSSES) {
      losses.removeFirst();
    }
    losses.addLast(new Loss(after, reason));
  }

  /**
   * The first loss a replay of the replies after {@code seq} crosses (replies lost after reply
   * {@code seq} or later), or {@code null}.
   */
  Loss lossAfter(long seq) {
    for (Loss loss : losses) {
      if (loss.after() >= seq) {
        return loss;
      }
    }
    return null;
  }

  private static long estimateSize(Reply reply) {
    int jsonLength = reply.bodyJsonLength();
    // A body kept as JSON text is not parsed for its size: its text, as Java would hold it.
    long size =
        FRAME_OVERHEAD
            + (jsonLength >= 0 ? 16 + 2L * jsonLength : StateStore.estimateSize(reply.body()));
    for (Map.Entry<String, Object> header : reply.headers().entrySet()) {
      Object value = header.getValue();
      size += header.getKey().length() + (value == null ? 4 : 2L * value.toString().length());
    }
    return size;
  }

  /** The number of the oldest kept reply, or 0 when empty. */
  long firstSeq() {
    return size == 0 ? 0 : entries[start].seq();
  }

  int size() {
    return size;
  }

  long bytes() {
    return bytes;
  }

  /** The number of the kept reply with this message id, or -1. */
  long seqOf(String messageId) {
    Long seq = seqByMessageId.get(messageId);
    return seq == null ? -1 : seq;
  }

  /** The kept replies numbered above {@code seq}, oldest first. */
  List<Entry> after(long seq) {
    List<Entry> result = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Entry entry = entries[(start + i) % entries.length];
      if (entry.seq() > seq) {
        result.add(entry);
      }
    }
    return result;
  }
}
