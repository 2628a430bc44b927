package dev.cluws.core.command;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The unfinished commands one client sent, so the gateway knows which replies answer and end that
 * client's own commands. A command is known by its id and the actor it went to (CLU clients often
 * number their commands, so two clients may use the same ids for different actors); a client that
 * reuses an unfinished id keeps only the newest command under it. Bounded (the oldest is forgotten
 * beyond {@code limit}) and expiring (a command whose final reply never comes is forgotten after
 * {@code expiryNanos}). Lookups allocate nothing: they run for every client on every final reply.
 * Thread-safe.
 */
public final class CommandTracker {
  private final int limit;
  private final long expiryNanos;
  private final LinkedHashMap<String, Sent> byId;

  private record Sent(String actor, long atNanos) {}

  public CommandTracker(int limit, long expiryNanos) {
    this.limit = limit;
    this.expiryNanos = expiryNanos;
    this.byId =
        new LinkedHashMap<>(16, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Sent> eldest) {
            return size() > CommandTracker.this.limit;
          }
        };
  }

  /** Remembers a command to an actor as sent now. */
  public synchronized void sent(String actor, String commandId, long nowNanos) {
    byId.remove(commandId); // a reused id moves to the end
    byId.put(commandId, new Sent(actor, nowNanos));
  }

  /** Whether the command to the actor is one of this client's unfinished commands. */
  public synchronized boolean isOwn(String actor, String commandId) {
    Sent sent = byId.get(commandId);
    return sent != null && sent.actor().equals(actor);
  }

  /** Forgets a finished command; returns whether it was this client's. */
  public synchronized boolean finished(String actor, String commandId) {
    Sent sent = byId.get(commandId);
    if (sent == null || !sent.actor().equals(actor)) {
      return false;
    }
    byId.remove(commandId);
    return true;
  }

  /** Forgets commands sent more than the expiry ago; returns how many. */
  public synchronized int expire(long nowNanos) {
    int removed = 0;
    Iterator<Sent> it = byId.values().iterator();
    while (it.hasNext()) {
      if (nowNanos - it.next().atNanos() <= expiryNanos) {
        break; // insertion order: the rest are younger
      }
      it.remove();
      removed++;
    }
    return removed;
  }

  /**
   * Forgets every unfinished command and returns them, oldest first, as command id → actor (their
   * replies may never come: the gateway lost its replies queue).
   */
  public synchronized Map<String, String> abandonAll() {
    Map<String, String> abandoned = new LinkedHashMap<>();
    byId.forEach((commandId, sent) -> abandoned.put(commandId, sent.actor()));
    byId.clear();
    return abandoned;
  }

  public synchronized int size() {
    return byId.size();
  }
}
