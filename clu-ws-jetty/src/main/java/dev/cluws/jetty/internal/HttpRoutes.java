package dev.cluws.jetty.internal;

import dev.cluws.core.log.LogText;
import dev.cluws.core.spi.SourceState;
import dev.cluws.jetty.HttpEndpoints;
import dev.cluws.jetty.SecuritySettings;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the plain HTTP requests (those that are not websocket upgrades; the upgrade handler in
 * front of this one takes every upgrade, on any path):
 *
 * <ul>
 *   <li>{@code /healthz}: 200 while the process serves;
 *   <li>{@code /readyz}: 200 while the message source is {@link SourceState#UP UP} (connected to
 *       the broker and consuming), else 503 with the state and what it means;
 *   <li>{@code /metrics}: the meters in Prometheus text format (with authentication on or metrics
 *       tokens, and unless turned off, only for a token with a metrics role or a metrics token: 401
 *       without a valid token, 403 for any other client token);
 *   <li>{@code /} ({@code index.html}), {@code /clu-ws.js} and {@code /console/*}: the web
 *       console's files from the jar, with an entity tag and {@code Cache-Control: no-cache} (the
 *       browser revalidates and gets 304 while the file is unchanged). A missing file is 404;
 *       folders are never listed.
 * </ul>
 *
 * Only {@code GET} and {@code HEAD} are answered on these paths (405 otherwise). Every other
 * request, and any endpoint turned off, goes to the next handler (426 Upgrade Required with a hint,
 * as from a server without these endpoints), so a CLU client that probes with plain HTTP sees what
 * it always saw.
 */
public final class HttpRoutes extends Handler.Wrapper {
  private static final Logger log = LoggerFactory.getLogger(HttpRoutes.class);

  static final String HEALTH = "/healthz";
  static final String READY = "/readyz";
  static final String METRICS = "/metrics";
  static final String CLIENT_SCRIPT = "/clu-ws.js";
  static final String CONSOLE_PREFIX = "/console/";
  static final String INDEX = "index.html";

  /** The Prometheus text format (version 0.0.4) that every scraper reads. */
  public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** The OpenMetrics text format, served when the scraper asks for it. */
  public static final String OPENMETRICS_TEXT =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final String gatewayName;
  private final HttpEndpoints endpoints;
  private final Supplier<SourceState> sourceState;
  private final Supplier<String> catchingUp;
  private final SessionRegistry sessions;
  private final Function<String, String> scrape;
  private final StaticFiles console;
  private final SecuritySettings security;

  /**
   * @param gatewayName for the health text
   * @param endpoints which routes are on
   * @param sourceState the message source's state, for {@code /readyz}
   * @param sessions the open websockets (closed when the server shuts down)
   * @param scrape the meters in the given content type ({@link #PROMETHEUS_TEXT} or {@link
   *     #OPENMETRICS_TEXT}), or {@code null} without metrics
   * @param console the console's files, or {@code null} without a console
   * @param security for the token {@code /metrics} may need
   * @param next the handler for every other request
   */
  public HttpRoutes(
      String gatewayName,
      HttpEndpoints endpoints,
      Supplier<SourceState> sourceState,
      SessionRegistry sessions,
      Function<String, String> scrape,
      StaticFiles console,
      SecuritySettings security,
      Handler next) {
    this(
        gatewayName, endpoints, sourceState, () -> null, sessions, scrape, console, security, next);
  }

  /**
   * As above, with {@code catchingUp}: why the gateway is not ready although its source is up (it
   * rebuilds its state from the shared history), or {@code null}.
   */
  public HttpRoutes(
      String gatewayName,
      HttpEndpoints endpoints,
      Supplier<SourceState> sourceState,
      Supplier<String> catchingUp,
      SessionRegistry sessions,
      Function<String, String> scrape,
      StaticFiles console,
      SecuritySettings security,
      Handler next) {
    super(next);
    this.catchingUp = Objects.requireNonNull(catchingUp, "catchingUp");
    this.gatewayName = Objects.requireNonNull(gatewayName, "gatewayName");
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    this.sourceState = Objects.requireNonNull(sourceState, "sourceState");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.scrape = endpoints.metrics() ? Objects.requireNonNull(scrape, "scrape") : null;
    this.console = endpoints.console() ? Objects.requireNonNull(console, "console") : null;
    this.security = Objects.requireNonNull(security, "security");
  }

  /** The first request for a console file reads it from the jar. */
  @Override
  public InvocationType getInvocationType() {
    return InvocationType.BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    Route route = route(path);
    if (route == null) {
      return super.handle(request, response, callback);
    }
    String method = request.getMethod();
    boolean head = HttpMethod.HEAD.is(method);
    if (!head && !HttpMethod.GET.is(method)) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      PlainText.respond(
          response,
          callback,
          HttpStatus.METHOD_NOT_ALLOWED_405,
          method + " is not allowed on " + path + ": use GET");
      return true;
    }
    switch (route) {
      case HEALTH -> health(response, callback);
      case READY -> ready(response, callback);
      case METRICS -> metrics(request, response, callback, head);
      case FILE -> {
        if (!file(request, response, callback, fileName(path), head)) {
          return super.handle(request, response, callback);
        }
      }
    }
    return true;
  }

  private enum Route {
    HEALTH,
    READY,
    METRICS,
    FILE
  }

  private Route route(String path) {
    if (path == null) {
      return null;
    }
    if (endpoints.health() && path.equals(HEALTH)) {
      return Route.HEALTH;
    }
    if (endpoints.health() && path.equals(READY)) {
      return Route.READY;
    }
    if (endpoints.metrics() && path.equals(METRICS)) {
      return Route.METRICS;
    }
    if (endpoints.console()
        && (path.equals("/")
            || path.equals("/" + INDEX)
            || path.equals(CLIENT_SCRIPT)
            || path.startsWith(CONSOLE_PREFIX))) {
      return Route.FILE;
    }
    return null;
  }

  private static String fileName(String path) {
    return path.equals("/") ? INDEX : path.substring(1);
  }

  private void health(Response response, Callback callback) {
    PlainText.respond(
        response,
        callback,
        HttpStatus.OK_200,
        "ok: gateway " + gatewayName + " is running (message source " + sourceState.get() + ")");
  }

  private void ready(Response response, Callback callback) {
    SourceState state = sourceState.get();
    String behind = catchingUp.get();
    if (sessions.isClosed()) {
      PlainText.respond(
          response,
          callback,
          HttpStatus.SERVICE_UNAVAILABLE_503,
          "not ready: gateway " + gatewayName + " is shutting down");
    } else if (state == SourceState.UP && behind != null) {
      PlainText.respond(
          response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "not ready: " + behind);
    } else if (state == SourceState.UP) {
      PlainText.respond(response, callback, HttpStatus.OK_200, "ready: " + meaning(state));
    } else {
      PlainText.respond(
          response,
          callback,
          HttpStatus.SERVICE_UNAVAILABLE_503,
          "not ready: message source " + state + ": " + meaning(state));
    }
  }

  /** What a source state means to someone who reads {@code /readyz}. */
  static String meaning(SourceState state) {
    return switch (state) {
      case UP -> "connected to the broker and consuming replies";
      case CONNECTING -> "the first connection to the broker is under way";
      case DOWN -> "the broker connection is lost: replies are not arriving and commands fail";
      case RECOVERING ->
          "the broker connection is lost and the gateway is reconnecting: replies are not"
              + " arriving and commands fail until it is back";
      case CLOSED -> "the gateway is closed";
    };
  }

  private void metrics(Request request, Response response, Callback callback, boolean head) {
    if (endpoints.metricsNeedToken() && security.metricsTokenPossible()) {
      String token;
      try {
        token =
            GatewayCreator.bearerToken(request, GatewayCreator.queryParameters(request), List.of());
      } catch (RuntimeException e) {
        token = null;
      }
      if (!BearerCheck.authorizeMetrics(
          security, token, RemoteAddress.of(request), response, callback)) {
        return;
      }
    }
    String accept = request.getHeaders().get(HttpHeader.ACCEPT);
    String type =
        accept != null && accept.contains("application/openmetrics-text")
            ? OPENMETRICS_TEXT
            : PROMETHEUS_TEXT;
    String text;
    try {
      text = scrape.apply(type);
    } catch (RuntimeException e) {
      log.warn("scraping the meters failed", e);
      PlainText.respond(
          response,
          callback,
          HttpStatus.INTERNAL_SERVER_ERROR_500,
          "scraping the meters failed: " + e);
      return;
    }
    response.setStatus(HttpStatus.OK_200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (head) {
      response.write(true, null, callback);
    } else {
      Content.Sink.write(response, true, text, callback);
    }
  }

  /**
   * Sends a console file; {@code false} when {@code /} has no {@code index.html} (the caller then
   * answers as without a console).
   */
  private boolean file(
      Request request, Response response, Callback callback, String name, boolean head) {
    Optional<StaticFiles.File> found;
    try {
      found = console.find(name);
    } catch (RuntimeException e) {
      log.warn("cannot read the console file {}", LogText.quoted(name), e);
      PlainText.respond(
          response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "cannot read " + name);
      return true;
    }
    if (found.isEmpty()) {
      if (name.equals(INDEX)) {
        return false;
      }
      PlainText.respond(response, callback, HttpStatus.NOT_FOUND_404, "not found: /" + name);
      return true;
    }
    StaticFiles.File file = found.get();
    response.getHeaders().put(HttpHeader.ETAG, file.etag());
    // Not fingerprinted names: the browser keeps the file but asks whether it changed (304).
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    if (file.contentType().startsWith("text/html")) {
      // The console sends commands: no other site may frame it and trick clicks into it.
      response.getHeaders().put("X-Frame-Options", "DENY");
      response.getHeaders().put("Content-Security-Policy", "frame-ancestors 'none'");
    }
    if (notModified(request, file.etag())) {
      response.setStatus(HttpStatus.NOT_MODIFIED_304);
      response.write(true, null, callback);
      return true;
    }
    response.setStatus(HttpStatus.OK_200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, file.contentType());
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, file.content().length);
    if (head) {
      response.write(true, null, callback);
    } else {
      response.write(true, ByteBuffer.wrap(file.content()).asReadOnlyBuffer(), callback);
    }
    return true;
  }

  private static boolean notModified(Request request, String etag) {
    for (HttpField field : request.getHeaders().getFields(HttpHeader.IF_NONE_MATCH)) {
      for (String value : field.getValues()) {
        String tag = value.strip();
        if (tag.startsWith("W/")) {
          tag = tag.substring(2);
        }
        if (tag.equals(etag) || tag.equals("*")) {
          return true;
        }
      }
    }
    return false;
  }
}
