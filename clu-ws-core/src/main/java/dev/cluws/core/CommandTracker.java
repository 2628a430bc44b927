package dev.cluws.core;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The unfinished commands one client sent, so the gateway knows which replies end that client's
 * own commands. Bounded (the oldest is forgotten beyond {@code limit}) and expiring (a command
 * whose final reply never comes is forgotten after {@code expiryNanos}). Thread-safe.
 */
final class CommandTracker {
  private final int limit;
  private final long expiryNanos;
  private final LinkedHashMap<String, Long> sentAt;

  CommandTracker(int limit, long expiryNanos) {
    this.limit = limit;
    this.expiryNanos = expiryNanos;
    this.sentAt =
        new LinkedHashMap<>(16, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > CommandTracker.this.limit;
          }
        };
  }

  /** Remembers a command as sent now. */
  synchronized void sent(String commandId, long nowNanos) {
    sentAt.remove(commandId); // a reused id moves to the end
    sentAt.put(commandId, nowNanos);
  }

  /** Whether the command is one of this client's unfinished commands. */
  synchronized boolean isOwn(String commandId) {
    return sentAt.containsKey(commandId);
  }

  /** Forgets a finished command; returns whether it was this client's. */
  synchronized boolean finished(String commandId) {
    return sentAt.remove(commandId) != null;
  }

  /** Forgets commands sent more than the expiry ago; returns how many. */
  synchronized int expire(long nowNanos) {
    int removed = 0;
    Iterator<Long> it = sentAt.values().iterator();
    while (it.hasNext()) {
      if (nowNanos - it.next() <= expiryNanos) {
        break; // insertion order: the rest are younger
      }
      it.remove();
      removed++;
    }
    return removed;
  }

  synchronized int size() {
    return sentAt.size();
  }
}
