package dev.cluws.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.rabbitmq.client.AMQP;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.amqp.testing.TestAmqp;
import dev.cluws.core.Gateway;
import dev.cluws.core.ProviderCatalog;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SourceState;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.ReplyObserver;
import dev.cluws.testkit.ServerFrame;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The websocket side of the server against the real RabbitMQ on 127.0.0.1:5672: each test builds a
 * gateway with a unique name and its own unique exchange, whose AMQP source and sink come from
 * clu-ws-amqp (found through the ServiceLoader). Replies reach the clients because a {@link
 * CluTestActor} publishes them on the exchange the way a CLU actor does; commands are seen on the
 * exchange by a {@link ReplyObserver}. Clients are real websockets on the loopback address.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebsocketServerIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The timestamp of every published reply (whole seconds, as the frame shows it). */
  private static final Instant SENT = Instant.parse("2026-11-24T01:26:43Z");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AmqpSettings amqp = TestAmqp.settings();
  private final String name = TestBroker.uniqueName("gw");
  private final List<WsClient> clients = new ArrayList<>();
  private final List<AutoCloseable> brokerClients = new ArrayList<>();
  private Gateway gateway;
  private WebsocketServer server;

  @AfterEach
  void stop() {
    for (WsClient client : clients) {
      client.webSocket().abort();
    }
    for (AutoCloseable brokerClient : brokerClients) {
      try {
        brokerClient.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    if (server != null) {
      server.close();
    } else if (gateway != null) {
      gateway.close();
    }
  }

  private static ServerSettings local() {
    return ServerSettings.defaults().withHost("127.0.0.1").withPort(0);
  }

  private WebsocketServer start(ServerSettings settings) {
    return start(settings, amqp);
  }

  private WebsocketServer start(ServerSettings settings, AmqpSettings amqpSettings) {
    gateway =
        Gateway.builder()
            .name(name)
            .settings(amqpSettings)
            .filterProviders(
                ProviderCatalog.of(
                    ReplyFilterProvider.class, ReplyFilterProvider::name, List.of(new OnlyYes())))
            .build();
    server = new WebsocketServer(gateway, settings).start();
    return server;
  }

  /** A CLU actor with a unique name on this test's exchange. */
  private CluTestActor actor() {
    CluTestActor actor = CluTestActor.start(amqp.exchange(), TestBroker.uniqueName("actor"));
    brokerClients.add(actor);
    return actor;
  }

  /** A reply as published on the exchange. */
  private record Published(String routingKey, AMQP.BasicProperties properties, JsonNode body) {}

  /**
   * Publishes a {@code :} reply to the command {@code id-1} that this gateway sent to {@code
   * actor}, with CLU's headers, on {@code reply.<commander_id>}.
   */
  private Published publishReply(CluTestActor actor, String body) throws Exception {
    String commandId = "id-1";
    String commanderId = name + "." + actor.name();
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("message_code", ":");
    headers.put("command_id", commandId);
    headers.put("commander_id", commanderId);
    headers.put("sender", actor.name());
    headers.put("internal", false);
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .contentType("text/json")
            .correlationId(commandId)
            .messageId(UUID.randomUUID().toString().replace("-", ""))
            .timestamp(Date.from(SENT))
            .headers(headers)
            .build();
    String routingKey = "reply." + commanderId;
    actor.publishRaw(routingKey, properties, body.getBytes(UTF_8));
    return new Published(routingKey, properties, JSON.readTree(body));
  }

  /** Checks that a frame shows the published reply: its headers, where it came from, its body. */
  private void assertFrameShows(String frameText, Published reply) throws Exception {
    JsonNode frame = json(frameText);
    assertThat(frame.get("headers")).isEqualTo(JSON.valueToTree(reply.properties().getHeaders()));
    assertThat(frame.get("exchange").asText()).isEqualTo(amqp.exchange());
    assertThat(frame.get("routing_key").asText()).isEqualTo(reply.routingKey());
    assertThat(frame.get("message_id").asText()).isEqualTo(reply.properties().getMessageId());
    assertThat(frame.get("timestamp").asText()).isEqualTo("2026-11-24T01:26:43+00:00");
    assertThat(frame.get("body").equals(reply.body()))
        .as("the frame's body equals the published body")
        .isTrue();
  }

  private WsClient connect(String pathAndQuery) {
    WsClient client = WsClient.to(server.uri().resolve(pathAndQuery)).httpClient(http).connect();
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
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    assertThat(response.headers().firstValue("upgrade")).hasValue("websocket");
    assertThat(response.body()).contains(name).contains("websocket");
  }

  @Test
  void aWebsocketOpensOnAnyPathWithAnyUnknownQueryParameter() {
    start(local());

    connect("/");
    connect("/ws");
    connect("/some/deep/path?foo=bar&flag");

    await().atMost(WAIT).until(() -> server.gateway().clientCount() == 3);
    assertThat(server.openWebsockets()).isEqualTo(3);
  }

  @Test
  void anUpgradeWhoseSubscriptionIsRejectedIsAnsweredWith400AndTheReason() throws Exception {
    start(local());

    try (Socket socket = new Socket()) {
      sendUpgrade(socket, "/?only=no", "");
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
    assertThat(server.gateway().clientCount()).isZero();
  }

  @Test
  void aFrameThatIsNotJsonIsAnsweredWithAnErrorFrameAndTheConnectionStaysOpen() throws Exception {
    start(local());
    WsClient client = connect("/");

    client.send("hello");
    await().atMost(WAIT).until(() -> client.texts().size() == 1);
    client.send("[1, 2]");
    await().atMost(WAIT).until(() -> client.texts().size() == 2);

    JsonNode first = json(client.texts().get(0));
    assertThat(first.at("/headers/message_code").asText()).isEqualTo("e");
    assertThat(first.at("/headers/sender").asText()).isEqualTo(name);
    assertThat(first.at("/body/error").asText()).contains("not valid JSON");
    assertThat(json(client.texts().get(1)).at("/body/error").asText()).contains("JSON object");
    assertThat(client.isClosed()).isFalse();
    assertThat(server.gateway().stats().invalidFrames.sum()).isEqualTo(2);
  }

  @Test
  void aBinaryFrameIsAnsweredWithAnErrorFrameAndCountedAsInvalid() throws Exception {
    start(local());
    WsClient client = connect("/");

    client.sendBinary(new byte[] {1, 2, 3});
    await().atMost(WAIT).until(() -> client.texts().size() == 1);

    JsonNode error = json(client.texts().get(0));
    assertThat(error.at("/headers/message_code").asText()).isEqualTo("e");
    assertThat(error.at("/body/error").asText()).contains("binary frames are not supported");
    assertThat(server.gateway().stats().invalidFrames.sum()).isEqualTo(1);
    assertThat(client.isClosed()).isFalse();
  }

  @Test
  void aValidCommandFrameGoesToTheSinkWithoutAnAnswer() throws Exception {
    start(local());
    // Makes command.lvmecp routable (so the broker returns nothing) while no actor answers.
    ReplyObserver observer = ReplyObserver.start(amqp.exchange(), "command.lvmecp");
    brokerClients.add(observer);
    WsClient client = connect("/");

    client.send(
        "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"id-1\"}");

    await().atMost(WAIT).until(() -> observer.messages().size() == 1);
    ReplyObserver.Message command = observer.messages().get(0);
    assertThat(command.routingKey()).isEqualTo("command.lvmecp");
    assertThat(json(command.body()))
        .isEqualTo(JSON.createObjectNode().put("command_string", "status"));
    assertThat(command.properties().getCorrelationId()).isEqualTo("id-1");
    assertThat(command.header("command_id")).isEqualTo("id-1");
    assertThat(command.header("commander_id")).isEqualTo(name + ".lvmecp");
    await().atMost(WAIT).until(() -> server.gateway().stats().commandsPublished.sum() == 1);
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> client.texts().isEmpty());
  }

  @Test
  void aTextMessageLargerThanOneMebibyteClosesTheWebsocketWith1009() {
    start(local());
    WsClient client = connect("/");

    client.webSocket().sendText("x".repeat((1 << 20) + 1), true);

    assertThat(client.awaitCloseCode()).isEqualTo(1009);
    await().atMost(WAIT).until(() -> server.gateway().clientCount() == 0);
  }

  @Test
  void aClientThatWritesAllOfAFarTooBigMessageBeforeReadingGetsClose1009AndNotAReset()
      throws Exception {
    start(local());
    WsClient other = connect("/other");

    try (Socket socket = new Socket()) {
      OutputStream out = sendUpgrade(socket, "/", "");
      DataInputStream in = new DataInputStream(socket.getInputStream());
      assertThat(readHead(in)).startsWith("HTTP/1.1 101");

      // One text frame of 8 MiB, masked with a zero key, written in full before anything is read:
      // the gateway must read (and drop) the rest after its close, or the write ends in a reset.
      int size = 8 << 20;
      ByteBuffer header = ByteBuffer.allocate(14).put((byte) 0x81).put((byte) (0x80 | 127));
      header.putLong(size).putInt(0);
      out.write(header.array());
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) 'x');
      for (int written = 0; written < size; written += chunk.length) {
        out.write(chunk);
      }
      out.flush();

      ServerFrame close = ServerFrame.read(in);
      assertThat(close.firstByte()).as("FIN, CLOSE").isEqualTo(0x88);
      assertThat(close.payload().length).isGreaterThanOrEqualTo(2);
      assertThat(close.closeCode()).as("close code").isEqualTo(1009);
    }
    await().atMost(WAIT).until(() -> server.gateway().clientCount() == 1);
    assertThat(other.isClosed()).isFalse();
  }

  @Test
  void aTextMessageSentInFragmentsIsJoinedAndCountedAgainstTheLimitAsAWhole() throws Exception {
    start(local());
    WsClient joined = connect("/");
    WsClient tooBig = connect("/other");

    joined.webSocket().sendText("{\"consumer\": \"nobody-", false).join();
    joined.webSocket().sendText("x".repeat(1000), false).join();
    joined.webSocket().sendText("\", \"command_string\": \"ping\"}", true);
    String half = "x".repeat(1 << 19);
    tooBig.webSocket().sendText(half, false).join();
    tooBig.webSocket().sendText(half, false).join();
    tooBig.webSocket().sendText("x", true);

    await().atMost(WAIT).until(() -> joined.texts().size() == 1);
    assertThat(json(joined.texts().get(0)).at("/headers/message_code").asText()).isEqualTo("f");
    assertThat(json(joined.texts().get(0)).at("/body/error").asText()).contains("nobody-");
    assertThat(tooBig.awaitCloseCode()).isEqualTo(1009);
  }

  @Test
  void aTextMessageOfExactlyOneMebibyteIsReadAndAnswered() throws Exception {
    start(local());
    WsClient client = connect("/");

    client.send("x".repeat(1 << 20));

    await().atMost(WAIT).until(() -> client.texts().size() == 1);
    assertThat(json(client.texts().get(0)).at("/body/error").asText()).contains("not valid JSON");
    assertThat(client.isClosed()).isFalse();
  }

  @Test
  void everyClientReceivesAReplyAsTheSameUtf8Text() throws Exception {
    start(local());
    CluTestActor actor = actor();
    WsClient one = connect("/");
    WsClient two = connect("/other");
    await().atMost(WAIT).until(() -> server.gateway().clientCount() == 2);

    Published reply = publishReply(actor, "{\"text\": \"Grüße ✓ 🚀\", \"n\": 1}");

    await().atMost(WAIT).until(() -> one.texts().size() == 1 && two.texts().size() == 1);
    String text = one.texts().get(0);
    assertThat(two.texts().get(0).getBytes(UTF_8)).isEqualTo(text.getBytes(UTF_8));
    assertFrameShows(text, reply);
    assertThat(json(text).at("/body/text").asText()).isEqualTo("Grüße ✓ 🚀");
  }

  @Test
  void aReplyLargerThanTheFrameLimitArrivesWhole() throws Exception {
    start(local());
    CluTestActor actor = actor();
    WsClient client = connect("/");
    await().atMost(WAIT).until(() -> server.gateway().clientCount() == 1);
    String big = "é".repeat(800_000);

    Published reply = publishReply(actor, "{\"text\": \"" + big + "\"}");

    await().atMost(WAIT).until(() -> client.texts().size() == 1);
    String received = json(client.texts().get(0)).at("/body/text").asText();
    assertThat(received).hasSize(800_000);
    assertThat(received.equals(big)).as("the 800,000 'é' arrive unchanged").isTrue();
    assertFrameShows(client.texts().get(0), reply);
  }

  @Test
  void aClientThatOffersPerMessageDeflateIsAnsweredWithoutItByDefaultAndReadsPlainFrames()
      throws Exception {
    start(local());
    CluTestActor actor = actor();

    try (Socket socket = new Socket()) {
      sendUpgrade(socket, "/", "Sec-WebSocket-Extensions: permessage-deflate\r\n");
      DataInputStream in = new DataInputStream(socket.getInputStream());
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 101").doesNotContainIgnoringCase("permessage-deflate");
      await().atMost(WAIT).until(() -> server.gateway().clientCount() == 1);

      Published reply = publishReply(actor, "{\"text\": \"Grüße ✓\"}");

      ServerFrame frame = ServerFrame.read(in);
      assertThat(frame.firstByte()).as("FIN, no RSV1 (not compressed), TEXT").isEqualTo(0x81);
      assertFrameShows(new String(frame.payload(), StandardCharsets.UTF_8), reply);
    }
  }

  @Test
  void aClientThatNegotiatesPerMessageDeflateReceivesRepliesItCanInflate() throws Exception {
    start(local().withPermessageDeflate(true));
    CluTestActor actor = actor();

    try (Socket socket = new Socket()) {
      sendUpgrade(socket, "/", "Sec-WebSocket-Extensions: permessage-deflate\r\n");
      DataInputStream in = new DataInputStream(socket.getInputStream());
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("permessage-deflate");
      await().atMost(WAIT).until(() -> server.gateway().clientCount() == 1);

      Published first = publishReply(actor, "{\"text\": \"Grüße ✓\"}");
      Published second = publishReply(actor, "{\"text\": \"Grüße ✓ again\"}");

      Inflater inflater = new Inflater(true);
      for (Published reply : List.of(first, second)) {
        ServerFrame frame = ServerFrame.read(in);
        assertThat(frame.firstByte()).as("FIN, RSV1 (compressed), TEXT").isEqualTo(0xC1);
        assertFrameShows(inflate(inflater, frame.payload()), reply);
      }
    }
  }

  /** Connects a raw socket to the server and sends a websocket upgrade for that path. */
  private OutputStream sendUpgrade(Socket socket, String path, String extraHeaders)
      throws Exception {
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET "
                + path
                + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + extraHeaders
                + "\r\n")
            .getBytes(UTF_8));
    out.flush();
    return out;
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
    WsClient client = connect("/");
    await().atMost(WAIT).until(() -> server.gateway().clientCount() == 1);

    client.webSocket().abort();

    await().atMost(WAIT).until(() -> server.gateway().clientCount() == 0);
    await().atMost(WAIT).until(() -> server.openWebsockets() == 0);
  }

  @Test
  void aClientThatAnswersPingsStaysOpenLongerThanTheIdleTimeout() {
    start(local().withKeepAlive(Duration.ofMillis(800), Duration.ofMillis(100)));
    WsClient client = connect("/");

    // 15 pings take at least 1.5 s, almost twice the idle timeout.
    await().atMost(WAIT).until(() -> client.pings() >= 15);

    assertThat(client.isClosed()).isFalse();
    assertThat(server.gateway().clientCount()).isEqualTo(1);
  }

  @Test
  void aClientThatAnswersNoPingIsClosedAfterTheIdleTimeout() {
    start(local().withKeepAlive(Duration.ofMillis(800), Duration.ofMillis(100)));
    WsClient deaf = WsClient.to(server.uri()).httpClient(http).deaf().connect();
    clients.add(deaf);
    await().atMost(WAIT).until(() -> server.gateway().clientCount() == 1);

    await().atMost(WAIT).until(() -> server.openWebsockets() == 0);
    assertThat(server.gateway().clientCount()).isZero();
  }

  @Test
  void closingTheServerClosesEveryWebsocketWith1001AndLeavesNoThreadBehind() {
    start(local());
    WsClient one = connect("/");
    WsClient two = connect("/x");
    await().atMost(WAIT).until(() -> server.gateway().clientCount() == 2);
    assertThat(threadsNamedAfter(name)).as("the gateway's own AMQP threads").isNotEmpty();

    server.close();

    assertThat(one.awaitCloseCode()).isEqualTo(1001);
    assertThat(two.awaitCloseCode()).isEqualTo(1001);
    assertThat(server.gateway().clientCount()).isZero();
    assertThat(server.gateway().sourceState()).isEqualTo(SourceState.CLOSED);
    await().atMost(WAIT).until(() -> serverThreads().isEmpty());
    await().atMost(WAIT).until(() -> threadsNamedAfter(name).isEmpty());
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
  void aGatewayThatCannotReachTheBrokerFailsTheStartAndClosesEverything() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(TestBroker.HOST))) {
      closedPort = socket.getLocalPort();
    }
    AmqpSettings unreachable =
        amqp.withPort(closedPort).withConnectionTimeout(Duration.ofSeconds(2));

    assertThatThrownBy(() -> start(local(), unreachable))
        .isInstanceOf(BrokerUnavailableException.class);

    assertThat(server).isNull();
    assertThat(gateway.sourceState()).isEqualTo(SourceState.CLOSED);
    assertThat(serverThreads()).isEmpty();
    assertThat(threadsNamedAfter(name)).isEmpty();
    assertThat(amqpClientThreadsFor(TestBroker.HOST + ":" + closedPort)).isEmpty();
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

  /** Live threads whose name contains the gateway's name (clu-ws-amqp's acks and publisher). */
  private static List<String> threadsNamedAfter(String gatewayName) {
    List<String> names = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive() && thread.getName().contains(gatewayName)) {
        names.add(thread.getName());
      }
    }
    return names;
  }

  /**
   * Live amqp-client threads of connections to {@code hostAndPort}: amqp-client names them after
   * the broker address ({@code AMQP Connection <host>:<port>} and {@code RabbitMQ connection
   * shutdown monitor <host>:<port>}), not after the connection's name.
   */
  private static List<String> amqpClientThreadsFor(String hostAndPort) {
    List<String> names = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      String threadName = thread.getName();
      if (thread.isAlive()
          && threadName.endsWith(" " + hostAndPort)
          && (threadName.startsWith("AMQP Connection")
              || threadName.startsWith("RabbitMQ connection shutdown monitor"))) {
        names.add(threadName);
      }
    }
    return names;
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
