package dev.cluws.bench.load;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Jetty {@link WebSocketClient} every websocket of a run shares, and bounded ways to open
 * and close many websockets at once.
 */
final class WsClients implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WsClients.class);

  /**
   * Upgrades in flight at once: enough to open 10,000 websockets in seconds, few enough that the
   * gateway's thread pool does not grow to its maximum just to answer them.
   */
  private static final int CONNECT_CONCURRENCY = 32;

  private final HttpClient http;
  private final WebSocketClient client;

  WsClients() {
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("clu-ws-load-ws");
    threads.setDaemon(true);
    http = new HttpClient();
    http.setExecutor(threads);
    http.setMaxConnectionsPerDestination(CONNECT_CONCURRENCY * 2);
    http.setMaxRequestsQueuedPerDestination(CONNECT_CONCURRENCY * 4);
    http.setConnectTimeout(10_000);
    client = new WebSocketClient(http);
    client.setIdleTimeout(Duration.ofHours(1)); // the gateway decides when a client is idle
    client.setMaxTextMessageSize(1 << 20);
    // Whole frames only: the readers take raw frames, and Jetty would otherwise split a frame that
    // straddles two network reads into fragments.
    client.setAutoFragment(false);
    client.setStopTimeout(2_000);
    try {
      client.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the websocket client", e);
    }
  }

  /**
   * Opens one websocket per listener (at most {@value #CONNECT_CONCURRENCY} upgrades at once) and
   * waits until all are open; fails if any cannot open within {@code timeout}.
   */
  List<Session> connectAll(URI uri, List<? extends Session.Listener> listeners, Duration timeout) {
    return connectAll(uri, listeners, timeout, false);
  }

  /**
   * The same; with {@code deflate}, each websocket offers the {@code permessage-deflate} extension,
   * as browsers do.
   */
  List<Session> connectAll(
      URI uri, List<? extends Session.Listener> listeners, Duration timeout, boolean deflate) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Semaphore inFlight = new Semaphore(CONNECT_CONCURRENCY);
    List<CompletableFuture<Session>> futures = new ArrayList<>(listeners.size());
    try {
      for (Session.Listener listener : listeners) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
          throw new IllegalStateException(
              "opened only "
                  + futures.size()
                  + " of "
                  + listeners.size()
                  + " websockets in "
                  + timeout);
        }
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        if (deflate) {
          request.addExtensions("permessage-deflate");
        }
        CompletableFuture<Session> future = client.connect(listener, uri, request);
        var unused = future.whenComplete((s, e) -> inFlight.release());
        futures.add(future);
      }
      List<Session> sessions = new ArrayList<>(futures.size());
      for (CompletableFuture<Session> future : futures) {
        long left = Math.max(1, deadline - System.nanoTime());
        sessions.add(future.get(left, TimeUnit.NANOSECONDS));
      }
      return sessions;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      for (CompletableFuture<Session> f : futures) {
        var unused = f.thenAccept(s -> s.disconnect());
      }
      throw new IllegalStateException("cannot open websockets to " + uri + ": " + e, e);
    }
  }

  /** Closes websockets with 1000 (normal) and waits briefly; drops the ones that do not close. */
  static void closeAll(List<Session> sessions, Duration wait) {
    List<CompletableFuture<Void>> closing = new ArrayList<>(sessions.size());
    for (Session session : sessions) {
      if (session.isOpen()) {
        Callback.Completable done = new Callback.Completable();
        session.close(StatusCode.NORMAL, "bench done", done);
        closing.add(done);
      }
    }
    try {
      CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]))
          .get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.debug("not every websocket closed within {}; dropping the rest", wait);
    }
    for (Session session : sessions) {
      if (session.isOpen()) {
        session.disconnect();
      }
    }
  }

  @Override
  public void close() {
    try {
      client.stop();
      http.stop();
    } catch (Exception e) {
      log.debug("stopping the websocket client failed", e);
    }
  }
}
