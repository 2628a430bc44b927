package dev.cluws.jetty;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A JDK websocket client that records what it receives. */
final class TestClient implements WebSocket.Listener {
  final List<String> texts = new CopyOnWriteArrayList<>();
  final AtomicInteger pings = new AtomicInteger();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final boolean reads;
  private final StringBuilder partial = new StringBuilder();
  private WebSocket webSocket;

  private TestClient(boolean reads) {
    this.reads = reads;
  }

  /** Connects and waits (bounded) for the websocket to open. */
  static TestClient connect(HttpClient http, URI uri) {
    return connect(http, uri, true);
  }

  /** A client that never reads after opening, so it answers no ping. */
  static TestClient connectDeaf(HttpClient http, URI uri) {
    return connect(http, uri, false);
  }

  private static TestClient connect(HttpClient http, URI uri, boolean reads) {
    TestClient client = new TestClient(reads);
    client.webSocket =
        http.newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(uri, client)
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    return client;
  }

  WebSocket ws() {
    return webSocket;
  }

  void send(String text) {
    webSocket.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  void sendBinary(byte[] bytes) {
    webSocket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Override
  public void onOpen(WebSocket ws) {
    if (reads) {
      ws.request(1);
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      texts.add(partial.toString());
      partial.setLength(0);
    }
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
    pings.incrementAndGet();
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    closeCode.completeExceptionally(error);
  }
}
