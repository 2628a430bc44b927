package dev.cluws.example.match;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A websocket client for tests (the JDK's own, sharing no code with the gateway) that records every
 * text frame as JSON. (A minimal copy of clu-ws-cli's test client.)
 */
final class WsClient implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final WebSocket socket;
  private final List<JsonNode> frames = new CopyOnWriteArrayList<>();

  private WsClient(URI uri) {
    try {
      this.socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .connectTimeout(WAIT)
              .buildAsync(uri, new Listener())
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not connect to " + uri, e);
    }
  }

  /**
   * Connects.
   *
   * @throws IllegalStateException when the upgrade fails; its cause tells why
   */
  static WsClient connect(URI uri) {
    return new WsClient(uri);
  }

  /** Every frame received so far, parsed. */
  List<JsonNode> frames() {
    return List.copyOf(frames);
  }

  /** Waits until a received frame matches, and returns it. */
  JsonNode awaitFrame(Predicate<JsonNode> matching) {
    await().atMost(WAIT).until(() -> frames.stream().anyMatch(matching));
    return frames.stream().filter(matching).findFirst().orElseThrow();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          frames.add(MAPPER.readTree(text));
        } catch (IOException e) {
          throw new UncheckedIOException("the server sent a frame that is not JSON: " + text, e);
        }
      }
      webSocket.request(1);
      return null;
    }
  }
}
