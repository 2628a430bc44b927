package dev.cluws.core;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The unfinished commands one client sent, so the gateway knows which replies answer and end that
 * client's own commands. A command is known by its actor and its id (CLU clients often number
 * their commands, so two clients may use the same ids). Bounded (the oldest is forgotten beyond {@code limit}) and expiring (a command
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

  /** Remembers a command to an actor as sent now. */
  synchronized void sent(String actor, String commandId, long nowNanos) {
    String key = key(actor, commandId);
    sentAt.remove(key); // a reused id moves to the end
    sentAt.put(key, nowNanos);
  }

  /** Whether the command to the actor is one of this client's unfinished commands. */
  synchronized boolean isOwn(String actor, String commandId) {
    return sentAt.containsKey(key(actor, commandId));
  }

  /** Forgets a finished command; returns whether it was this client's. */
  synchronized boolean finished(String actor, String commandId) {
    return sentAt.remove(key(actor, commandId)) != null;
  }

  private static String key(String actor, String commandId) {
    return actor + '\u0000' + commandId;
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
