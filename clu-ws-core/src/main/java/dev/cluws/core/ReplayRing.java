package dev.cluws.core;

import dev.cluws.core.spi.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recent replies the gateway forwarded, with their numbers and shared frames, for clients
 * that reconnect with {@code since=}. Bounded in count and in encoded bytes; the oldest go first.
 * Not thread-safe: the {@link Hub} guards it.
 */
final class ReplayRing {
  /** One kept reply. */
  record Entry(long seq, Reply reply, EncodedFrame frame) {}

  private final Entry[] entries;
  private final long maxBytes;
  private final Map<String, Long> seqByMessageId = new HashMap<>();
  private int start;
  private int size;
  private long bytes;

  ReplayRing(int capacity, long maxBytes) {
    this.entries = new Entry[capacity];
    this.maxBytes = maxBytes;
  }

  void add(long seq, Reply reply, EncodedFrame frame) {
    while (size > 0 && (size == entries.length || bytes + frame.size() > maxBytes)) {
      evictOldest();
    }
    if (frame.size() > maxBytes) {
      return; // larger than the whole ring
    }
    Entry entry = new Entry(seq, reply, frame);
    entries[(start + size) % entries.length] = entry;
    size++;
    bytes += frame.size();
    if (reply.messageId() != null) {
      seqByMessageId.put(reply.messageId(), seq);
    }
  }

  private void evictOldest() {
    Entry oldest = entries[start];
    entries[start] = null;
    start = (start + 1) % entries.length;
    size--;
    bytes -= oldest.frame().size();
    String messageId = oldest.reply().messageId();
    if (messageId != null) {
      seqByMessageId.remove(messageId, oldest.seq());
    }
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
