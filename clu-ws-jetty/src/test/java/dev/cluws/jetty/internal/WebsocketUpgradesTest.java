package dev.cluws.jetty.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.testkit.WsClient;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.UpgradeRequest;
import org.eclipse.jetty.websocket.api.UpgradeResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The websocket upgrade on a bare Jetty server: a session gets the limits it was configured with
 * and a detached copy of its upgrade (request line, version, subprotocols), the HTTP exchange of
 * the upgrade is not kept once the websocket is open, and plain HTTP requests go to the next
 * handler.
 */
class WebsocketUpgradesTest {
  private static final long LIMIT = 12_345;

  private final CompletableFuture<Session> opened = new CompletableFuture<>();
  private volatile WeakReference<Object> upgradeRequest = new WeakReference<>(null);
  private Server server;
  private URI uri;

  /** An endpoint that only remembers its session. */
  public final class Endpoint implements Session.Listener.AutoDemanding {
    @Override
    public void onWebSocketOpen(Session session) {
      opened.complete(session);
    }
  }

  private void start() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    Handler next =
        new Handler.Abstract() {
          @Override
          public boolean handle(
              org.eclipse.jetty.server.Request request,
              org.eclipse.jetty.server.Response response,
              Callback callback) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            response.write(true, UTF_8.encode("not a websocket"), callback);
            return true;
          }
        };
    server.setHandler(
        new WebsocketUpgrades(
            server,
            (request, response, callback) -> {
              upgradeRequest = new WeakReference<>(request);
              if (request.getSubProtocols().contains("clu-ws")) {
                response.setAcceptedSubProtocol("clu-ws");
              }
              return new Endpoint();
            },
            limits -> limits.setMaxTextMessageSize(LIMIT),
            false,
            next));
    server.start();
    uri = URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/");
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void aSessionKeepsItsRequestLineVersionAndSubprotocolsAndGetsItsLimits() throws Exception {
    start();
    try (WsClient client =
        WsClient.to(uri).path("/some/path?actors=lvm*").subprotocols("clu-ws").connect()) {
      Session session = opened.get(10, TimeUnit.SECONDS);

      UpgradeRequest request = session.getUpgradeRequest();
      assertThat(request.getRequestURI().getPath()).isEqualTo("/some/path");
      assertThat(request.getQueryString()).isEqualTo("actors=lvm*");
      assertThat(request.getParameterMap()).containsEntry("actors", List.of("lvm*"));
      assertThat(request.getMethod()).isEqualTo("GET");
      assertThat(request.getHttpVersion()).isEqualTo("HTTP/1.1");
      assertThat(request.getProtocolVersion()).isEqualTo("13");
      assertThat(request.getSubProtocols()).containsExactly("clu-ws");
      assertThat(request.hasSubProtocol("CLU-WS")).isTrue();
      assertThat(request.isSecure()).isFalse();
      assertThat(session.isSecure()).isFalse();
      assertThatThrownBy(() -> request.getHeader("Host"))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("does not keep the upgrade's headers");
      UpgradeResponse response = session.getUpgradeResponse();
      assertThat(response.getStatusCode()).isEqualTo(101);
      assertThat(response.getAcceptedSubProtocol()).isEqualTo("clu-ws");
      assertThat(client.subprotocol()).isEqualTo("clu-ws");
      assertThat(session.getMaxTextMessageSize()).isEqualTo(LIMIT);
    }
  }

  @Test
  void theHttpExchangeOfTheUpgradeIsNotKeptWhileTheWebsocketIsOpen() throws Exception {
    start();
    try (WsClient client = WsClient.to(uri).connect()) {
      Session session = opened.get(10, TimeUnit.SECONDS);
      assertThat(session.isOpen()).isTrue();

      // The request Jetty handed to the creator is collected once nothing holds it.
      for (int i = 0; i < 100 && upgradeRequest.get() != null; i++) {
        System.gc();
        Thread.sleep(50);
      }

      assertThat(upgradeRequest.get()).isNull();
      assertThat(session.isOpen()).isTrue();
    }
  }

  @Test
  void aPlainHttpRequestGoesToTheNextHandler() throws Exception {
    start();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http" + uri.toString().substring(2)))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("not a websocket");
    assertThat(opened).isNotDone();
  }
}
