package dev.cluws.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.core.Gateway;
import dev.cluws.core.ProviderCatalog;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.CommandOutcome;
import dev.cluws.core.spi.CommandSink;
import dev.cluws.core.spi.MessageSource;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.ReplyListener;
import dev.cluws.core.spi.SourceState;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The websocket side of the server, with a source and a sink that reach no broker (the source only
 * keeps its listener so a test can hand it a reply; the sink accepts every command). End-to-end
 * tests with RabbitMQ live in clu-ws-cli.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebsocketServerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final QuietSource source = new QuietSource();
  private final List<TestClient> clients = new ArrayList<>();
  private WebsocketServer server;

  @AfterEach
  void stop() {
    for (TestClient client : clients) {
      client.ws().abort();
    }
    if (server != null) {
      server.close();
    }
  }

  private static ServerSettings local() {
    return ServerSettings.defaults().withHost("127.0.0.1").withPort(0);
  }

  private WebsocketServer start(ServerSettings settings) {
    Gateway gateway =
        Gateway.builder()
            .name("clu-ws-test")
            .source(source)
            .sink(new AcceptingSink())
            .filterProviders(
                ProviderCatalog.of(
                    ReplyFilterProvider.class, ReplyFilterProvider::name, List.of(new OnlyYes())))
            .build();
    server = new WebsocketServer(gateway, settings).start();
    return server;
  }

  private TestClient connect(String pathAndQuery) {
    TestClient client = TestClient.connect(http, server.uri().resolve(pathAndQuery));
    clients.add(client);
    return client;
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void aPlainHttpRequestIsAnsweredWith426AndSaysToConnectWithAWebsocket() throws Exception {
    start(local());
    URI uri = URI.create("http://127.0.0.1:" + server.port() + "/some/page");

    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri).timeout(WAIT).GET().build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(426);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/plain"));
    assertThat(response.headers().firstValue("upgrade")).hasValue("websocket");
    assertThat(response.body()).contains("clu-ws-test").contains("websocket");
  }

  @Test
  void aWebsocketOpensOnAnyPathWithAnyUnknownQueryParameter() {
    start(local());

    connect("/");
    connect("/ws");
    connect("/some/deep/path?foo=bar&flag");

    await().atMost(WAIT).until(() -> server.gateway().hub().clientCount() == 3);
    assertThat(server.openWebsockets()).isEqualTo(3);
  }

  @Test
  void anUpgradeWhoseSubscriptionIsRejectedIsAnsweredWith400AndTheReason() throws Exception {
    start(local());

    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /?only=no HTTP/1.1\r\n"
                  + "Host: 127.0.0.1\r\n"
                  + "Upgrade: websocket\r\n"
                  + "Connection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + "Sec-WebSocket-Version: 13\r\n"
                  + "\r\n")
              .getBytes(UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
      String status = in.readLine();
      String line;
      int length = -1;
      while ((line = in.readLine()) != null && !line.isEmpty()) {
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      assertThat(length).isPositive();
      char[] body = new char[length];
      int read = 0;
      while (read < length) {
        int n = in.read(body, read, length - read);
        if (n < 0) {
          break;
        }
        read += n;
      }

      assertThat(status).startsWith("HTTP/1.1 400");
      assertThat(new String(body, 0, read)).contains("invalid parameter 'only'").contains("no");
    }
    assertThat(server.gateway().hub().clientCount()).isZero();
  }

  @Test
  void aFrameThatIsNotJsonIsAnsweredWithAnErrorFrameAndTheConnectionStaysOpen() throws Exception {
    start(local());
    TestClient client = connect("/");

    client.send("hello");
    await().atMost(WAIT).until(() -> client.texts.size() == 1);
    client.send("[1, 2]");
    await().atMost(WAIT).until(() -> client.texts.size() == 2);

    JsonNode first = json(client.texts.get(0));
    assertThat(first.at("/headers/message_code").asText()).isEqualTo("e");
    assertThat(first.at("/headers/sender").asText()).isEqualTo("clu-ws-test");
    assertThat(first.at("/body/error").asText()).contains("not valid JSON");
    assertThat(json(client.texts.get(1)).at("/body/error").asText()).contains("JSON object");
    assertThat(client.closeCode).isNotDone();
    assertThat(server.gateway().stats().invalidFrames.sum()).isEqualTo(2);
  }

  @Test
  void aBinaryFrameIsAnsweredWithAnErrorFrameAndCountedAsInvalid() throws Exception {
    start(local());
    TestClient client = connect("/");

    client.sendBinary(new byte[] {1, 2, 3});
    await().atMost(WAIT).until(() -> client.texts.size() == 1);

    JsonNode error = json(client.texts.get(0));
    assertThat(error.at("/headers/message_code").asText()).isEqualTo("e");
    assertThat(error.at("/body/error").asText()).contains("binary frames are not supported");
    assertThat(server.gateway().stats().invalidFrames.sum()).isEqualTo(1);
    assertThat(client.closeCode).isNotDone();
  }

  @Test
  void aValidCommandFrameGoesToTheSinkWithoutAnAnswer() {
    start(local());
    TestClient client = connect("/");

    client.send(
        "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"id-1\"}");

    await()
        .atMost(WAIT)
        .until(() -> server.gateway().stats().commandsPublished.sum() == 1);
    assertThat(client.texts).isEmpty();
  }

  @Test
  void aTextMessageLargerThanOneMebibyteClosesTheWebsocketWith1009() {
    start(local());
    TestClient client = connect("/");

    client.ws().sendText("x".repeat((1 << 20) + 1), true);

    assertThat(client.closeCode).succeedsWithin(WAIT).isEqualTo(1009);
    await().atMost(WAIT).until(() -> server.gateway().hub().clientCount() == 0);
  }

  @Test
  void aTextMessageOfExactlyOneMebibyteIsReadAndAnswered() throws Exception {
    start(local());
    TestClient client = connect("/");

    client.send("x".repeat(1 << 20));

    await().atMost(WAIT).until(() -> client.texts.size() == 1);
    assertThat(json(client.texts.get(0)).at("/body/error").asText()).contains("not valid JSON");
    assertThat(client.closeCode).isNotDone();
  }

  @Test
  void everyClientReceivesAReplyAsTheSameUtf8Text() throws Exception {
    start(local());
    TestClient one = connect("/");
    TestClient two = connect("/other");
    await().atMost(WAIT).until(() -> server.gateway().hub().clientCount() == 2);
    Reply reply = reply("{\"text\": \"Grüße ✓ 🚀\", \"n\": 1}");

    source.listener.onReply(reply);

    await().atMost(WAIT).until(() -> one.texts.size() == 1 && two.texts.size() == 1);
    String expected = server.gateway().codec().encode(reply, 1).text();
    assertThat(one.texts.get(0)).isEqualTo(expected);
    assertThat(two.texts.get(0)).isEqualTo(expected);
    assertThat(json(expected).at("/body/text").asText()).isEqualTo("Grüße ✓ 🚀");
  }

  @Test
  void aReplyLargerThanTheFrameLimitArrivesWhole() throws Exception {
    start(local());
    TestClient client = connect("/");
    await().atMost(WAIT).until(() -> server.gateway().hub().clientCount() == 1);
    Reply big = reply("{\"text\": \"" + "é".repeat(800_000) + "\"}");

    source.listener.onReply(big);

    await().atMost(WAIT).until(() -> client.texts.size() == 1);
    assertThat(client.texts.get(0)).isEqualTo(server.gateway().codec().encode(big, 1).text());
  }

  @Test
  void aClientThatNegotiatesPerMessageDeflateReceivesRepliesItCanInflate() throws Exception {
    start(local());
    Reply first = reply("{\"text\": \"Grüße ✓\"}");
    Reply second = reply("{\"text\": \"Grüße ✓ again\"}");

    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET / HTTP/1.1\r\n"
                  + "Host: 127.0.0.1\r\n"
                  + "Upgrade: websocket\r\n"
                  + "Connection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + "Sec-WebSocket-Version: 13\r\n"
                  + "Sec-WebSocket-Extensions: permessage-deflate\r\n"
                  + "\r\n")
              .getBytes(UTF_8));
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("permessage-deflate");
      await().atMost(WAIT).until(() -> server.gateway().hub().clientCount() == 1);

      source.listener.onReply(first);
      source.listener.onReply(second);

      Inflater inflater = new Inflater(true);
      for (Reply reply : List.of(first, second)) {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        assertThat(b0).as("FIN, RSV1 (compressed), TEXT").isEqualTo(0xC1);
        assertThat(inflate(inflater, payload))
            .isEqualTo(server.gateway().codec().encode(reply, 1).text());
      }
    }
  }

  private static String readHead(DataInputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) in.readUnsignedByte());
    }
    return head.toString();
  }

  private static String inflate(Inflater inflater, byte[] compressed) throws Exception {
    byte[] input = Arrays.copyOf(compressed, compressed.length + 4);
    input[compressed.length + 2] = (byte) 0xff;
    input[compressed.length + 3] = (byte) 0xff;
    inflater.setInput(input);
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    byte[] chunk = new byte[4096];
    int n;
    while ((n = inflater.inflate(chunk)) > 0) {
      text.write(chunk, 0, n);
    }
    return text.toString(UTF_8);
  }

  @Test
  void aClientThatDropsItsConnectionWithoutACloseFrameLeavesTheGateway() {
    start(local());
    TestClient client = connect("/");
    await().atMost(WAIT).until(() -> server.gateway().hub().clientCount() == 1);

    client.ws().abort();

    await().atMost(WAIT).until(() -> server.gateway().hub().clientCount() == 0);
    await().atMost(WAIT).until(() -> server.openWebsockets() == 0);
  }

  @Test
  void aClientThatAnswersPingsStaysOpenLongerThanTheIdleTimeout() {
    start(local().withKeepAlive(Duration.ofMillis(800), Duration.ofMillis(100)));
    TestClient client = connect("/");

    // 15 pings take at least 1.5 s, almost twice the idle timeout.
    await().atMost(WAIT).until(() -> client.pings.get() >= 15);

    assertThat(client.closeCode).isNotDone();
    assertThat(server.gateway().hub().clientCount()).isEqualTo(1);
  }

  @Test
  void aClientThatAnswersNoPingIsClosedAfterTheIdleTimeout() {
    start(local().withKeepAlive(Duration.ofMillis(800), Duration.ofMillis(100)));
    TestClient deaf = TestClient.connectDeaf(http, server.uri());
    clients.add(deaf);
    await().atMost(WAIT).until(() -> server.gateway().hub().clientCount() == 1);

    await().atMost(WAIT).until(() -> server.openWebsockets() == 0);
    assertThat(server.gateway().hub().clientCount()).isZero();
  }

  @Test
  void closingTheServerClosesEveryWebsocketWith1001AndLeavesNoThreadBehind() {
    start(local());
    TestClient one = connect("/");
    TestClient two = connect("/x");
    await().atMost(WAIT).until(() -> server.gateway().hub().clientCount() == 2);

    server.close();

    assertThat(one.closeCode).succeedsWithin(WAIT).isEqualTo(1001);
    assertThat(two.closeCode).succeedsWithin(WAIT).isEqualTo(1001);
    assertThat(server.gateway().hub().clientCount()).isZero();
    assertThat(source.closed).isTrue();
    await().atMost(WAIT).until(() -> serverThreads().isEmpty());
  }

  @Test
  void joinReturnsOnceTheServerIsClosedAndCloseIsIdempotent() throws Exception {
    start(local());
    CompletableFuture<Void> joined =
        CompletableFuture.runAsync(
            () -> {
              try {
                server.join();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });

    server.close();
    server.close();

    assertThat(joined).succeedsWithin(WAIT);
  }

  @Test
  void aGatewayThatCannotReachTheBrokerFailsTheStartAndClosesEverything() {
    source.failStart = true;

    assertThatThrownBy(() -> start(local())).isInstanceOf(BrokerUnavailableException.class);

    assertThat(source.closed).isTrue();
    assertThat(serverThreads()).isEmpty();
  }

  @Test
  void theUriNamesTheLoopbackAddressWhenTheServerListensOnAllInterfaces() {
    start(ServerSettings.defaults().withPort(0));

    assertThat(server.port()).isPositive();
    assertThat(server.uri()).isEqualTo(URI.create("ws://127.0.0.1:" + server.port() + "/"));
    connect("/");
  }

  @Test
  void settingsRefuseAnIdleTimeoutThatIsNotLongerThanThePingInterval() {
    ServerSettings defaults = ServerSettings.defaults();

    assertThat(defaults.port()).isEqualTo(9876);
    assertThat(defaults.maxTextMessageBytes()).isEqualTo(1 << 20);
    assertThat(defaults.pingInterval()).isEqualTo(Duration.ofSeconds(20));
    assertThatThrownBy(() -> defaults.withIdleTimeout(Duration.ofSeconds(20)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pingInterval");
    assertThat(defaults.withPingInterval(Duration.ZERO).withIdleTimeout(Duration.ofSeconds(1)))
        .satisfies(s -> assertThat(s.pingEnabled()).isFalse());
  }

  private static List<String> serverThreads() {
    List<String> names = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive()
          && (thread.getName().startsWith("clu-ws-jetty")
              || thread.getName().startsWith("clu-ws-scheduler"))) {
        names.add(thread.getName());
      }
    }
    return names;
  }

  private static Reply reply(String body) throws Exception {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("command_id", "id-1");
    headers.put("commander_id", "clu-ws-test.lvmecp");
    headers.put("internal", false);
    headers.put("message_code", ":");
    headers.put("sender", "lvmecp");
    return new Reply(
        headers,
        "sdss_exchange",
        "reply.clu-ws-test.lvmecp",
        "2fd4ae6ca62b462585b873ba35ba2d18",
        "id-1",
        Instant.parse("2026-11-24T01:26:43Z"),
        JSON.readTree(body));
  }

  /** A source that connects to nothing: it keeps its listener so a test can hand it replies. */
  private static final class QuietSource implements MessageSource {
    volatile ReplyListener listener;
    volatile boolean failStart;
    volatile boolean closed;

    @Override
    public void start(ReplyListener replyListener) {
      if (failStart) {
        throw new BrokerUnavailableException("no broker in this test");
      }
      this.listener = replyListener;
      replyListener.onStateChange(SourceState.UP);
    }

    @Override
    public SourceState state() {
      return closed ? SourceState.CLOSED : SourceState.UP;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** A sink that publishes nothing and reports every command as published. */
  private static final class AcceptingSink implements CommandSink {
    @Override
    public void start() {}

    @Override
    public CompletionStage<CommandOutcome> send(Command command) {
      return CompletableFuture.completedFuture(CommandOutcome.PUBLISHED);
    }

    @Override
    public void close() {}
  }

  /** The filter {@code only}, which accepts the single value {@code yes}. */
  private static final class OnlyYes implements ReplyFilterProvider {
    @Override
    public String name() {
      return "only";
    }

    @Override
    public ReplyFilter create(dev.cluws.core.spi.FilterContext context) {
      if (!context.values().equals(List.of("yes"))) {
        throw new IllegalArgumentException("expected 'yes', got " + context.values());
      }
      return ReplyFilter.accept(reply -> true);
    }
  }
}
