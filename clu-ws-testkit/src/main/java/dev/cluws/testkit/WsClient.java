package dev.cluws.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.spi.CluIds;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A websocket client for tests of a clu-ws gateway: the JDK's own {@link WebSocket}, so the gateway
 * is checked against a client that shares no code with it. It records every text frame it receives,
 * as sent and parsed as JSON, the pings, and how the connection closed; every wait is bounded
 * ({@link #WAIT} unless given).
 *
 * <pre>{@code
 * try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/?seq=true"))) {
 *   String id = client.sendCommand("my_actor", "ping");
 *   List<JsonNode> replies = client.awaitFinished(id); // ">" ... ":" or "f"
 * }
 * }</pre>
 *
 * <p>To connect with headers, a bearer token, subprotocols or a client that trusts a test
 * certificate, use {@link #to(URI)}. A {@linkplain Connector#deaf() deaf} client reads nothing
 * after the upgrade until {@link #startReading()} (so it answers no ping and TCP backs up): a slow
 * or frozen client for tests.
 */
public final class WsClient implements AutoCloseable {
  /** How long every wait of this class lasts at most, unless a method takes a timeout. */
  public static final Duration WAIT = Duration.ofSeconds(10);

  /** The close code {@link #awaitClose()} reports when the connection failed without a close. */
  public static final int NO_CLOSE_FRAME = -1;

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  /** How the connection ended: the close frame's code and reason. */
  public record Close(int code, String reason) {}

  private final WebSocket socket;
  private volatile boolean reads;
  private final List<String> texts = new CopyOnWriteArrayList<>();
  private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
  private final List<String> notJson = new CopyOnWriteArrayList<>();
  private final AtomicInteger pings = new AtomicInteger();
  private final CompletableFuture<Close> closed = new CompletableFuture<>();
  private volatile @Nullable Throwable error;

  private WsClient(
      URI uri, HttpClient http, UnaryOperator<WebSocket.Builder> customize, boolean reads) {
    this.reads = reads;
    try {
      this.socket =
          customize
              .apply(http.newWebSocketBuilder().connectTimeout(WAIT))
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
   * Connects to {@code uri} (e.g. {@code ws://127.0.0.1:8080/?snapshot=true}) and waits, at most
   * {@link #WAIT}, for the upgrade.
   *
   * @throws IllegalStateException when the upgrade fails; its cause tells why (for a refused
   *     upgrade, a {@code java.net.http.WebSocketHandshakeException} with the response)
   */
  public static WsClient connect(URI uri) {
    return to(uri).connect();
  }

  /**
   * Connects with a given HTTP client (e.g. one that trusts a test certificate) and extra request
   * settings (headers, subprotocols) made on the JDK's builder.
   *
   * @throws IllegalStateException when the upgrade fails; its cause tells why
   */
  public static WsClient connect(
      URI uri, HttpClient http, UnaryOperator<WebSocket.Builder> customize) {
    return to(uri).httpClient(http).customize(customize).connect();
  }

  /** Starts describing a connection to {@code uri}; {@link Connector#connect()} makes it. */
  public static Connector to(URI uri) {
    return new Connector(uri);
  }

  /** How to connect: headers, a bearer token, subprotocols, the HTTP client, reading or not. */
  public static final class Connector {
    private URI uri;
    private HttpClient http = HttpClient.newHttpClient();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final List<String> subprotocols = new ArrayList<>();
    private UnaryOperator<WebSocket.Builder> customize = b -> b;
    private boolean reads = true;

    private Connector(URI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
    }

    /** Another path and query on the same host, e.g. {@code "/?match=open&seq=true"}. */
    public Connector path(String pathAndQuery) {
      uri = uri.resolve(pathAndQuery);
      return this;
    }

    /** A header of the upgrade request (e.g. {@code Origin}). */
    public Connector header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    /** {@code Authorization: Bearer <token>}, as the gateway reads a client's token. */
    public Connector bearerToken(String token) {
      return header("Authorization", "Bearer " + token);
    }

    /** The subprotocols offered, most preferred first ({@link WsClient#subprotocol()} tells). */
    public Connector subprotocols(String... offered) {
      subprotocols.addAll(List.of(offered));
      return this;
    }

    /** The HTTP client to connect with (e.g. one that trusts a test certificate). */
    public Connector httpClient(HttpClient client) {
      http = Objects.requireNonNull(client, "client");
      return this;
    }

    /** Anything else on the JDK's builder, applied last. */
    public Connector customize(UnaryOperator<WebSocket.Builder> more) {
      UnaryOperator<WebSocket.Builder> before = customize;
      customize = b -> more.apply(before.apply(b));
      return this;
    }

    /**
     * A client that reads nothing after the upgrade until {@link WsClient#startReading()}: it
     * answers no ping and lets TCP back up, like a frozen browser tab.
     */
    public Connector deaf() {
      reads = false;
      return this;
    }

    /**
     * Connects and waits, at most {@link #WAIT}, for the upgrade.
     *
     * @throws IllegalStateException when the upgrade fails; its cause tells why
     */
    public WsClient connect() {
      UnaryOperator<WebSocket.Builder> all =
          b -> {
            headers.forEach(b::header);
            if (!subprotocols.isEmpty()) {
              b.subprotocols(
                  subprotocols.get(0),
                  subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
            }
            return customize.apply(b);
          };
      return new WsClient(uri, http, all, reads);
    }
  }

  /** The subprotocol the server accepted ({@code ""} for none). */
  public String subprotocol() {
    return socket.getSubprotocol();
  }

  /** The JDK's websocket, for what this class does not offer (a fragmented frame, say). */
  public WebSocket webSocket() {
    return socket;
  }

  /** Sends one text frame and waits, at most {@link #WAIT}, until it is handed to the network. */
  public WsClient send(String text) {
    return wait(socket.sendText(text, true), "could not send");
  }

  /** Sends one binary frame (which the gateway refuses) and waits until it is sent. */
  public WsClient sendBinary(byte[] bytes) {
    return wait(socket.sendBinary(ByteBuffer.wrap(bytes), true), "could not send");
  }

  /**
   * Sends a command frame to {@code actor} with a new command id, and returns the id.
   *
   * @return the {@code command_id} the replies will carry
   */
  public String sendCommand(String actor, String commandString) {
    String commandId = CluIds.newCommandId();
    sendCommand(actor, commandString, commandId);
    return commandId;
  }

  /** Sends {@code {"consumer": actor, "command_string": ..., "command_id": ...}}. */
  public WsClient sendCommand(String actor, String commandString, String commandId) {
    ObjectNode frame = MAPPER.createObjectNode();
    frame.put("consumer", actor).put("command_string", commandString).put("command_id", commandId);
    return send(frame.toString());
  }

  /** Every text frame received so far, exactly as the server sent it (e.g. to count bytes). */
  public List<String> texts() {
    return List.copyOf(texts);
  }

  /**
   * Every frame received so far, parsed.
   *
   * @throws IllegalStateException when the server sent a text frame that is not JSON
   */
  public List<JsonNode> frames() {
    requireJson();
    return List.copyOf(frames);
  }

  private void requireJson() {
    if (!notJson.isEmpty()) {
      throw new IllegalStateException("the server sent a frame that is not JSON: " + notJson);
    }
  }

  /** The frames whose {@code headers.command_id} is {@code commandId}, in order. */
  public List<JsonNode> framesFor(String commandId) {
    return frames().stream().filter(f -> commandId.equals(commandIdOf(f))).toList();
  }

  /** Waits, at most {@link #WAIT}, until a received frame matches, and returns the first. */
  public JsonNode awaitFrame(Predicate<JsonNode> matching) {
    return awaitFrame(matching, WAIT);
  }

  /**
   * Waits, at most {@code timeout}, until a received frame matches, and returns the first.
   *
   * @throws AssertionError when none arrived in time, listing what did
   */
  public JsonNode awaitFrame(Predicate<JsonNode> matching, Duration timeout) {
    // Frames only accumulate: each poll tests only those that arrived since the last one.
    int[] tested = {0};
    JsonNode[] found = {null};
    awaitTrue(
        () -> {
          requireJson();
          for (int i = tested[0]; i < frames.size(); i++) {
            JsonNode frame = frames.get(i);
            if (matching.test(frame)) {
              found[0] = frame;
              return true;
            }
            tested[0] = i + 1;
          }
          return false;
        },
        timeout,
        "a matching frame");
    return Objects.requireNonNull(found[0]);
  }

  /** Waits, at most {@link #WAIT}, until {@code count} frames have arrived; returns them all. */
  public List<JsonNode> awaitFrames(int count) {
    awaitTrue(() -> frames.size() >= count, WAIT, count + " frames");
    return frames();
  }

  /**
   * Waits, at most {@link #WAIT}, until the command with this id has its final reply ({@code :} or
   * {@code f}), and returns every frame for it, in order.
   */
  public List<JsonNode> awaitFinished(String commandId) {
    awaitFrame(f -> commandId.equals(commandIdOf(f)) && isFinal(f));
    return framesFor(commandId);
  }

  /** Starts reading, for a {@linkplain Connector#deaf() deaf} client (no-op otherwise). */
  public void startReading() {
    if (!reads) {
      reads = true;
      socket.request(1);
    }
  }

  /** The number of pings the server sent (answered automatically unless the client is deaf). */
  public int pings() {
    return pings.get();
  }

  /**
   * The highest {@code seq} of the frames received so far (clients that connected with {@code
   * ?seq=true}), or -1: what to reconnect with as {@code ?since=}.
   */
  public long lastSeq() {
    return frames().stream().mapToLong(WsClient::seqOf).max().orElse(-1);
  }

  /** A frame's {@code seq}, or -1 when it has none. */
  public static long seqOf(JsonNode frame) {
    JsonNode seq = frame.get("seq");
    return seq != null && seq.canConvertToLong() ? seq.asLong() : -1;
  }

  /** A frame's {@code headers.command_id}, or null. */
  public static @Nullable String commandIdOf(JsonNode frame) {
    JsonNode id = frame.path("headers").path("command_id");
    return id.isTextual() ? id.asText() : null;
  }

  /** A frame's {@code headers.message_code} ({@code ""} when it has none). */
  public static String codeOf(JsonNode frame) {
    return frame.path("headers").path("message_code").asText("");
  }

  /** Whether a frame ends a command: code {@code :} or {@code f}. */
  public static boolean isFinal(JsonNode frame) {
    String code = codeOf(frame);
    return code.equals(":") || code.equals("f");
  }

  /** Whether the connection has ended (a close frame came, or it failed). */
  public boolean isClosed() {
    return closed.isDone();
  }

  /**
   * Waits, at most {@link #WAIT}, for the server to close the connection, and tells how: the close
   * frame's code and reason, or {@link #NO_CLOSE_FRAME} when it failed without one.
   *
   * @throws IllegalStateException when it stays open
   */
  public Close awaitClose() {
    try {
      return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the server did not close the connection", e);
    }
  }

  /** {@link #awaitClose()}'s code. */
  public int awaitCloseCode() {
    return awaitClose().code();
  }

  /** What failed the connection, if it failed without a close frame. */
  public @Nullable Throwable error() {
    return error;
  }

  /** Drops the TCP connection without a close frame, like a browser tab that crashes. */
  public void abort() {
    socket.abort();
  }

  /** Sends a normal close (1000) if the output is open, then drops the connection. */
  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      // No failure is lost: the connection is aborted right after, whatever the close did.
      var unused = socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    socket.abort();
  }

  private WsClient wait(CompletableFuture<WebSocket> sent, String what) {
    try {
      sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(what, e);
    }
    return this;
  }

  private void awaitTrue(
      java.util.function.BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "waited " + timeout.toMillis() + " ms for " + what + "; received " + describe());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** How many frames came, and the last few (bounded: a failure message stays readable). */
  private String describe() {
    List<String> all = List.copyOf(texts);
    int count = all.size();
    List<String> last = all.subList(Math.max(0, count - 3), count);
    StringBuilder text = new StringBuilder(count + " frames");
    if (count > 0) {
      text.append(count > 3 ? ", the last 3: " : ": ");
      for (String frame : last) {
        text.append(frame.length() > 500 ? frame.substring(0, 500) + "..." : frame).append(' ');
      }
    }
    return text.toString().trim();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      if (reads) {
        webSocket.request(1);
      }
    }

    @Override
    public @Nullable CompletionStage<?> onText(
        WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          frames.add(MAPPER.readTree(text));
        } catch (IOException e) {
          notJson.add(text);
        }
        texts.add(text); // last: a waiter that sees the text sees its frame
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onBinary(
        WebSocket webSocket, ByteBuffer data, boolean last) {
      webSocket.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
      pings.incrementAndGet();
      webSocket.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onClose(
        WebSocket webSocket, int statusCode, String reason) {
      closed.complete(new Close(statusCode, reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable failure) {
      error = failure;
      closed.complete(new Close(NO_CLOSE_FRAME, String.valueOf(failure)));
    }
  }
}
