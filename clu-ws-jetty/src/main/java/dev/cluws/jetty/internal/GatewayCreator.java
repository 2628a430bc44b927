package dev.cluws.jetty.internal;

import dev.cluws.core.Gateway;
import dev.cluws.core.GatewayBusyException;
import dev.cluws.core.log.LogText;
import dev.cluws.core.reply.Subscription;
import dev.cluws.core.reply.SubscriptionException;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.jetty.SecuritySettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketCreator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides each websocket upgrade, in this order: a page from an origin that is not allowed is
 * refused with 403; with authentication on, a request without a valid bearer token is refused with
 * 401 (the token comes from the {@code Authorization: Bearer} header, the {@code token} query
 * parameter, or a {@code bearer.<token>} entry of {@code Sec-WebSocket-Protocol}); then the query
 * parameters become the client's subscription, and one the gateway rejects is refused with 400.
 * Every refusal carries its reason as a text body (never the token), and no websocket is opened.
 */
public final class GatewayCreator implements WebSocketCreator {
  private static final Logger log = LoggerFactory.getLogger(GatewayCreator.class);

  /** The subprotocol a client offers next to {@code bearer.<token>}, and the server accepts. */
  public static final String SUBPROTOCOL = "clu-ws";

  /** The prefix of a {@code Sec-WebSocket-Protocol} entry that carries a bearer token. */
  public static final String BEARER_SUBPROTOCOL_PREFIX = "bearer.";

  /** The query parameter that carries a bearer token. */
  public static final String TOKEN_PARAMETER = "token";

  private final Gateway gateway;
  private final SessionRegistry registry;
  private final SecuritySettings security;

  public GatewayCreator(Gateway gateway, SessionRegistry registry) {
    this(gateway, registry, SecuritySettings.none());
  }

  public GatewayCreator(Gateway gateway, SessionRegistry registry, SecuritySettings security) {
    this.gateway = gateway;
    this.registry = registry;
    this.security = security;
  }

  @Override
  public Object createWebSocket(
      ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
    String remote = RemoteAddress.of(request);
    if (registry.isClosed()) {
      PlainText.respond(
          response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, SessionRegistry.SHUTDOWN_REASON);
      return null;
    }
    Map<String, List<String>> query;
    try {
      query = queryParameters(request);
    } catch (RuntimeException e) {
      log.info(
          "refused a websocket from {}: malformed query string: {}",
          remote,
          LogText.of(e.getMessage()));
      PlainText.respond(
          response,
          callback,
          HttpStatus.BAD_REQUEST_400,
          "malformed query string: " + e.getMessage());
      return null;
    }
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    if (!security.allowedOrigins().allows(origin)) {
      log.info(
          "refused a websocket from {}: origin {} is not allowed", remote, LogText.quoted(origin));
      PlainText.respond(
          response, callback, HttpStatus.FORBIDDEN_403, "origin '" + origin + "' is not allowed");
      return null;
    }
    List<String> offered = request.getSubProtocols();
    if (offered.contains(SUBPROTOCOL)) {
      response.setAcceptedSubProtocol(SUBPROTOCOL);
    }
    ClientIdentity identity = ClientIdentity.anonymous(remote);
    if (security.authenticationEnabled()) {
      identity =
          BearerCheck.authenticate(
              security,
              bearerToken(request, query, offered),
              remote,
              "a websocket",
              "authentication required: send a bearer token in the Authorization header, the"
                  + " 'token' query parameter, or the Sec-WebSocket-Protocol entry"
                  + " 'bearer.<token>'",
              response,
              callback);
      if (identity == null) {
        return null;
      }
      log.debug(
          "client from {} authenticated as {} with roles {}",
          remote,
          LogText.field(identity.subject()),
          LogText.of(identity.roles().toString()));
    }
    if (query.containsKey(TOKEN_PARAMETER)) {
      Map<String, List<String>> withoutToken = new LinkedHashMap<>(query);
      withoutToken.remove(TOKEN_PARAMETER);
      query = Collections.unmodifiableMap(withoutToken);
    }
    Subscription subscription;
    try {
      subscription = gateway.subscribe(query, identity);
    } catch (SubscriptionException e) {
      log.info("refused a websocket from {}: {}", remote, LogText.of(e.getMessage(), 500));
      PlainText.respond(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
      return null;
    } catch (GatewayBusyException e) {
      log.warn("refused a websocket from {}: {}", remote, e.getMessage());
      PlainText.respond(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, e.getMessage());
      return null;
    }
    return new ClientEndpoint(gateway, subscription, registry, remote);
  }

  /**
   * The bearer token of an upgrade request, or {@code null}: from the {@code Authorization} header,
   * else the {@code token} query parameter, else a {@code bearer.<token>} subprotocol.
   */
  static String bearerToken(
      Request request, Map<String, List<String>> query, List<String> subProtocols) {
    String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = authorization.substring(7).strip();
      if (!token.isEmpty()) {
        return token;
      }
    }
    List<String> values = query.get(TOKEN_PARAMETER);
    if (values != null) {
      for (String value : values) {
        if (value != null && !value.isBlank()) {
          return value.strip();
        }
      }
    }
    for (String protocol : subProtocols) {
      if (protocol.startsWith(BEARER_SUBPROTOCOL_PREFIX)
          && protocol.length() > BEARER_SUBPROTOCOL_PREFIX.length()) {
        return protocol.substring(BEARER_SUBPROTOCOL_PREFIX.length());
      }
    }
    return null;
  }

  /** The query parameters in their order, each with its values in order. */
  static Map<String, List<String>> queryParameters(Request request) {
    Fields fields = Request.extractQueryParameters(request);
    if (fields.isEmpty()) {
      return Map.of();
    }
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (Fields.Field field : fields) {
      query.put(field.getName(), Collections.unmodifiableList(new ArrayList<>(field.getValues())));
    }
    return Collections.unmodifiableMap(query);
  }
}
