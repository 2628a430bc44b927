package dev.cluws.jetty.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's open websockets: what the keep-alive pings and what shutdown closes. An endpoint is
 * added when its websocket opens and removed however it ends. Once {@link #closeAll} has run, no
 * endpoint is added any more.
 */
public final class SessionRegistry {
  /** The close reason of every websocket the server closes when it stops (code 1001). */
  public static final String SHUTDOWN_REASON = "server shutting down";

  private final Set<ClientEndpoint> endpoints = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private boolean closed;
  private boolean reEncodingWarned;

  /** Adds an endpoint; {@code false} when the server is shutting down. */
  boolean add(ClientEndpoint endpoint) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      endpoints.add(endpoint);
      return true;
    }
  }

  void remove(ClientEndpoint endpoint) {
    synchronized (lock) {
      if (endpoints.remove(endpoint) && endpoints.isEmpty()) {
        lock.notifyAll();
      }
    }
  }

  /** {@code true} the first time only, so the server warns once about re-encoding frames. */
  boolean claimReEncodingWarning() {
    synchronized (lock) {
      boolean first = !reEncodingWarned;
      reEncodingWarned = true;
      return first;
    }
  }

  /** Whether the server is shutting down. */
  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** The open endpoints (a live, weakly consistent view). */
  Collection<ClientEndpoint> endpoints() {
    return Collections.unmodifiableSet(endpoints);
  }

  public int size() {
    return endpoints.size();
  }

  /**
   * Refuses further endpoints and starts closing every open websocket with the given code and
   * reason. Returns at once with the number of websockets it is closing.
   */
  public int closeAll(int statusCode, String reason) {
    List<ClientEndpoint> open;
    synchronized (lock) {
      closed = true;
      open = new ArrayList<>(endpoints);
    }
    for (ClientEndpoint endpoint : open) {
      endpoint.close(statusCode, reason);
    }
    return open.size();
  }

  /** Waits until every endpoint has gone, at most {@code timeout}; {@code true} if all have. */
  public boolean awaitEmpty(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!endpoints.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        long millis = Math.max(1, left / 1_000_000);
        lock.wait(millis);
      }
      return true;
    }
  }
}
