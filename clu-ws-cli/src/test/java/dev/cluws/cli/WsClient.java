package dev.cluws.cli;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A websocket client for tests: the JDK's own {@link WebSocket}, so the gateway is checked against
 * a client that shares no code with it. Records every text frame, as sent and as JSON, and how the
 * connection closed.
 */
final class WsClient implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final WebSocket socket;
  private final List<String> texts = new CopyOnWriteArrayList<>();
  private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

  private WsClient(URI uri, HttpClient http, UnaryOperator<WebSocket.Builder> customize) {
    Listener listener = new Listener();
    try {
      this.socket =
          customize
              .apply(http.newWebSocketBuilder().connectTimeout(WAIT))
              .buildAsync(uri, listener)
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not connect to " + uri, e);
    }
  }

  static WsClient connect(URI uri) {
    return new WsClient(uri, HttpClient.newHttpClient(), b -> b);
  }

  /**
   * Connects with a given HTTP client (e.g. one that trusts a test certificate) and extra request
   * settings (headers, subprotocols).
   *
   * @throws IllegalStateException when the upgrade fails; its cause tells why
   */
  static WsClient connect(URI uri, HttpClient http, UnaryOperator<WebSocket.Builder> customize) {
    return new WsClient(uri, http, customize);
  }

  /** The subprotocol the server accepted ({@code ""} for none). */
  String subprotocol() {
    return socket.getSubprotocol();
  }

  /** Sends one text frame and waits until it is handed to the network. */
  WsClient send(String text) {
    try {
      socket.sendText(text, true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not send", e);
    }
    return this;
  }

  /** Every frame received so far, as the server sent it (e.g. to count its bytes). */
  List<String> texts() {
    return List.copyOf(texts);
  }

  /** Every frame received so far, parsed. */
  List<JsonNode> frames() {
    return List.copyOf(frames);
  }

  /** Frames whose {@code headers.command_id} is the given id. */
  List<JsonNode> framesFor(String commandId) {
    return frames.stream()
        .filter(f -> commandId.equals(f.path("headers").path("command_id").asText(null)))
        .toList();
  }

  /** Waits until a received frame matches, and returns it. */
  JsonNode awaitFrame(Predicate<JsonNode> matching) {
    await().atMost(WAIT).until(() -> frames.stream().anyMatch(matching));
    return frames.stream().filter(matching).findFirst().orElseThrow();
  }

  /** Waits until the command with this id has its final reply ({@code :} or {@code f}). */
  List<JsonNode> awaitFinished(String commandId) {
    awaitFrame(
        f ->
            commandId.equals(f.path("headers").path("command_id").asText(null))
                && List.of(":", "f").contains(f.path("headers").path("message_code").asText()));
    return framesFor(commandId);
  }

  /** The close code the server sent, waiting for it. */
  int awaitCloseCode() {
    try {
      return closeCode.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the server did not close the connection", e);
    }
  }

  boolean isClosed() {
    return closeCode.isDone();
  }

  /** Drops the TCP connection without a close frame, like a browser tab that crashes. */
  void abort() {
    socket.abort();
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
        texts.add(text);
        try {
          frames.add(MAPPER.readTree(text));
        } catch (IOException e) {
          throw new UncheckedIOException("the server sent a frame that is not JSON: " + text, e);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closeCode.complete(-1);
    }
  }
}
