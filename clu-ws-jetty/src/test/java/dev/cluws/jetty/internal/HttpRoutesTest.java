package dev.cluws.jetty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.SourceState;
import dev.cluws.jetty.HttpEndpoints;
import dev.cluws.jetty.SecuritySettings;
import dev.cluws.jetty.auth.AuthenticationException;
import dev.cluws.jetty.auth.MetricsAccess;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The plain HTTP routes on a real Jetty server, with a console folder from the test resources. */
class HttpRoutesTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String TOKEN = "s3cret-metrics-token";
  private static final String CLIENT_TOKEN = "s3cret-client-token";
  private static final String METRICS_TOKEN = "s3cret-scraper-token";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private final AtomicReference<SourceState> state = new AtomicReference<>(SourceState.UP);
  private final SessionRegistry sessions = new SessionRegistry();
  private final java.util.concurrent.atomic.AtomicReference<String> catchingUp =
      new java.util.concurrent.atomic.AtomicReference<>();
  private final PrometheusMeterRegistry meters =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Server server;
  private int port;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
    meters.close();
  }

  private void start(HttpEndpoints endpoints) throws Exception {
    start(endpoints, SecuritySettings.none());
  }

  private void start(HttpEndpoints endpoints, SecuritySettings security) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        new HttpRoutes(
            "test-gateway",
            endpoints,
            state::get,
            catchingUp::get,
            sessions,
            meters::scrape,
            new StaticFiles(getClass().getClassLoader(), "dev/cluws/jetty/internal/testconsole/"),
            security,
            new UpgradeRequiredHandler("test-gateway")));
    server.start();
    port = connector.getLocalPort();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT);
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(WAIT)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** A request sent byte for byte (no client normalizes the path); returns the whole response. */
  private String raw(String path) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout((int) WAIT.toMillis());
      String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  @Test
  void theRootServesTheConsolePageAsHtml() throws Exception {
    start(HttpEndpoints.all());

    HttpResponse<String> page = get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("test console page");
    assertThat(header(page, "content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(header(page, "cache-control")).isEqualTo("no-cache");
    assertThat(header(page, "etag")).startsWith("\"");
    assertThat(header(page, "x-content-type-options")).isEqualTo("nosniff");
    assertThat(header(page, "x-frame-options")).isEqualTo("DENY");
    assertThat(get("/index.html").body()).isEqualTo(page.body());
  }

  @Test
  void theClientModuleAndConsoleFilesAreServedWithTheirContentTypes() throws Exception {
    start(HttpEndpoints.all());

    HttpResponse<String> script = get("/clu-ws.js");
    HttpResponse<String> css = get("/console/console.css");
    HttpResponse<String> nested = get("/console/sub/nested.js");

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.body()).contains("test client");
    assertThat(header(script, "content-type")).isEqualTo("text/javascript; charset=utf-8");
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(header(css, "content-type")).isEqualTo("text/css; charset=utf-8");
    assertThat(nested.statusCode()).isEqualTo(200);
    assertThat(nested.body()).contains("nested");
  }

  @Test
  void aBrowserThatHasTheFileGets304() throws Exception {
    start(HttpEndpoints.all());
    String etag = header(get("/clu-ws.js"), "etag");

    HttpResponse<String> again = get("/clu-ws.js", "If-None-Match", etag);

    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(get("/clu-ws.js", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
  }

  @Test
  void aHeadRequestGetsTheHeadersWithoutTheBody() throws Exception {
    start(HttpEndpoints.all());

    HttpResponse<String> head = send("HEAD", "/clu-ws.js");

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(header(head, "content-length")).isEqualTo("" + get("/clu-ws.js").body().length());
  }

  @Test
  void missingFilesAndFoldersAreNotFoundAndNeverListed() throws Exception {
    start(HttpEndpoints.all());

    assertThat(get("/console/nothing.js").statusCode()).isEqualTo(404);
    assertThat(get("/console/").statusCode()).isEqualTo(404);
    assertThat(get("/console/sub/").statusCode()).isEqualTo(404);
    assertThat(get("/console/sub").statusCode()).isEqualTo(404);
    assertThat(get("/console/README").statusCode()).isEqualTo(404);
    assertThat(get("/console/.hidden.js").statusCode()).isEqualTo(404);
  }

  @Test
  void noPathReachesOutsideTheConsoleFolder() throws Exception {
    start(HttpEndpoints.all());
    // dev/cluws/jetty/internal/secret.txt is on the class path, two folders above console/.
    for (String path :
        new String[] {
          "/console/../../secret.txt",
          "/console/%2e%2e/%2e%2e/secret.txt",
          "/console/..%2f..%2fsecret.txt",
          "/console/..%5c..%5csecret.txt",
          "/console/..\\..\\secret.txt",
          "/console//../../secret.txt",
          "/console/%252e%252e/%252e%252e/secret.txt"
        }) {
      String response = raw(path);

      assertThat(response).as(path).doesNotContain("top secret").doesNotStartWith("HTTP/1.1 200");
    }
  }

  @Test
  void otherPathsAndPostsToThemStillGet426() throws Exception {
    start(HttpEndpoints.all());

    HttpResponse<String> other = get("/some/page");

    assertThat(other.statusCode()).isEqualTo(426);
    assertThat(header(other, "upgrade")).isEqualTo("websocket");
    assertThat(send("POST", "/some/page").statusCode()).isEqualTo(426);
  }

  @Test
  void onlyGetAndHeadAreAllowedOnTheEndpoints() throws Exception {
    start(HttpEndpoints.all());

    HttpResponse<String> post = send("POST", "/metrics");

    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(header(post, "allow")).isEqualTo("GET, HEAD");
    assertThat(send("DELETE", "/").statusCode()).isEqualTo(405);
  }

  @Test
  void healthzIsOkWhateverTheBrokerState() throws Exception {
    start(HttpEndpoints.all());
    state.set(SourceState.RECOVERING);

    HttpResponse<String> health = get("/healthz");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("test-gateway").contains("RECOVERING");
    assertThat(header(health, "cache-control")).isEqualTo("no-store");
  }

  @Test
  void readyzIsOkOnlyWhileTheSourceIsUpAndSaysWhyNot() throws Exception {
    start(HttpEndpoints.all());

    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    state.set(SourceState.RECOVERING);
    HttpResponse<String> recovering = get("/readyz");
    state.set(SourceState.CONNECTING);
    HttpResponse<String> connecting = get("/readyz");

    assertThat(recovering.statusCode()).isEqualTo(503);
    assertThat(recovering.body()).contains("RECOVERING").contains("reconnecting");
    assertThat(connecting.statusCode()).isEqualTo(503);
    assertThat(connecting.body()).contains("CONNECTING").contains("first connection");
  }

  @Test
  void readyzIsUnavailableWhileTheGatewayCatchesUpWithItsHistory() throws Exception {
    start(HttpEndpoints.all());
    catchingUp.set(
        "catching up: rebuilding the current state from history stream 'h' (7 replies"
            + " read so far)");

    HttpResponse<String> behind = get("/readyz");
    catchingUp.set(null);

    assertThat(behind.statusCode()).isEqualTo(503);
    assertThat(behind.body())
        .isEqualTo(
            "not ready: catching up: rebuilding the current state from history stream 'h' (7"
                + " replies read so far)\n");
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void readyzIsUnavailableWhileTheServerShutsDown() throws Exception {
    start(HttpEndpoints.all());

    sessions.closeAll(1001, SessionRegistry.SHUTDOWN_REASON);
    HttpResponse<String> ready = get("/readyz");

    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("shutting down");
  }

  @Test
  void metricsAreInPrometheusTextFormat() throws Exception {
    Counter.builder("cluws.test.things").register(meters).increment(3);
    start(HttpEndpoints.all());

    HttpResponse<String> metrics = get("/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(header(metrics, "content-type")).isEqualTo(HttpRoutes.PROMETHEUS_TEXT);
    assertThat(metrics.body())
        .contains("# TYPE cluws_test_things_total counter")
        .contains("cluws_test_things_total 3.0");
  }

  @Test
  void aScraperThatAsksForOpenMetricsGetsIt() throws Exception {
    Counter.builder("cluws.test.things").register(meters).increment();
    start(HttpEndpoints.all());

    HttpResponse<String> metrics =
        get("/metrics", "Accept", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5");

    assertThat(header(metrics, "content-type")).startsWith("application/openmetrics-text");
    assertThat(metrics.body()).contains("cluws_test_things_total 1.0").endsWith("# EOF\n");
  }

  @Test
  void withAuthenticationMetricsNeedAValidToken() throws Exception {
    start(HttpEndpoints.all(), withToken());

    HttpResponse<String> without = get("/metrics");
    HttpResponse<String> wrong = get("/metrics", "Authorization", "Bearer nope");
    HttpResponse<String> right = get("/metrics", "Authorization", "Bearer " + TOKEN);

    assertThat(without.statusCode()).isEqualTo(401);
    assertThat(header(without, "www-authenticate")).startsWith("Bearer");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).doesNotContain("nope");
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(get("/metrics?token=" + TOKEN).statusCode()).isEqualTo(200);
    // Probes and the console's files stay open: they carry no secret.
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    assertThat(get("/").statusCode()).isEqualTo(200);
  }

  @Test
  void aValidClientTokenWithoutAMetricsRoleIsForbidden() throws Exception {
    start(HttpEndpoints.all(), withToken());

    HttpResponse<String> forbidden = get("/metrics", "Authorization", "Bearer " + CLIENT_TOKEN);

    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(forbidden.body())
        .isEqualTo("forbidden: /metrics needs a token with the role operator, or a metrics token\n")
        .doesNotContain(CLIENT_TOKEN);
  }

  @Test
  void aDedicatedMetricsTokenReadsMetricsBesideOperatorTokens() throws Exception {
    MetricsAccess access = MetricsAccess.defaults().withTokens(List.of(METRICS_TOKEN));
    start(HttpEndpoints.all(), withToken().withMetricsAccess(access));

    assertThat(get("/metrics", "Authorization", "Bearer " + METRICS_TOKEN).statusCode())
        .isEqualTo(200);
    assertThat(get("/metrics", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    assertThat(get("/metrics", "Authorization", "Bearer " + CLIENT_TOKEN).statusCode())
        .isEqualTo(403);
  }

  @Test
  void withOnlyAMetricsTokenMetricsNeedIt() throws Exception {
    MetricsAccess access = MetricsAccess.defaults().withTokens(List.of(METRICS_TOKEN));
    start(HttpEndpoints.all(), SecuritySettings.none().withMetricsAccess(access));

    assertThat(get("/metrics").statusCode()).isEqualTo(401);
    assertThat(get("/metrics", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(401);
    assertThat(get("/metrics?token=" + METRICS_TOKEN).statusCode()).isEqualTo(200);
  }

  @Test
  void metricsCanBeOpenEvenWithAuthentication() throws Exception {
    start(HttpEndpoints.all().withMetricsNeedToken(false), withToken());

    assertThat(get("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void eachEndpointTurnedOffAnswersAsAServerWithoutIt() throws Exception {
    start(HttpEndpoints.all().withHealth(false).withMetrics(false).withConsole(false));

    for (String path : new String[] {"/", "/healthz", "/readyz", "/metrics", "/clu-ws.js"}) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(426);
    }
  }

  @Test
  void withoutAConsolePageTheRootStillSaysToConnectAWebsocket() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        new HttpRoutes(
            "test-gateway",
            HttpEndpoints.all(),
            state::get,
            sessions,
            meters::scrape,
            new StaticFiles(getClass().getClassLoader(), "dev/cluws/jetty/internal/nothing/"),
            SecuritySettings.none(),
            new UpgradeRequiredHandler("test-gateway")));
    server.start();
    port = connector.getLocalPort();

    assertThat(get("/").statusCode()).isEqualTo(426);
    assertThat(get("/clu-ws.js").statusCode()).isEqualTo(404);
  }

  private static SecuritySettings withToken() {
    return SecuritySettings.none()
        .withAuthenticator(
            (token, remote) -> {
              if (token.equals(TOKEN)) {
                return new ClientIdentity("scraper", Set.of(MetricsAccess.DEFAULT_ROLE), remote);
              }
              if (token.equals(CLIENT_TOKEN)) {
                return new ClientIdentity("viewer", Set.of("viewer"), remote);
              }
              throw new AuthenticationException("unknown token", false);
            });
  }
}
