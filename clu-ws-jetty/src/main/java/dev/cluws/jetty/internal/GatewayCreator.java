package dev.cluws.jetty.internal;

import dev.cluws.core.Gateway;
import dev.cluws.core.GatewayBusyException;
import dev.cluws.core.Subscription;
import dev.cluws.core.SubscriptionException;
import dev.cluws.core.spi.ClientIdentity;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketCreator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides each websocket upgrade: the query parameters become the client's subscription; a
 * subscription the gateway rejects is refused with 400 and the reason as a text body, so no
 * websocket is opened.
 */
public final class GatewayCreator implements WebSocketCreator {
  private static final Logger log = LoggerFactory.getLogger(GatewayCreator.class);

  private final Gateway gateway;
  private final SessionRegistry registry;

  public GatewayCreator(Gateway gateway, SessionRegistry registry) {
    this.gateway = gateway;
    this.registry = registry;
  }

  @Override
  public Object createWebSocket(
      ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
    String remote = Request.getRemoteAddr(request) + ":" + Request.getRemotePort(request);
    if (registry.isClosed()) {
      PlainText.respond(
          response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, SessionRegistry.SHUTDOWN_REASON);
      return null;
    }
    Map<String, List<String>> query;
    try {
      query = queryParameters(request);
    } catch (RuntimeException e) {
      log.info("refused a websocket from {}: malformed query string: {}", remote, e.getMessage());
      PlainText.respond(
          response,
          callback,
          HttpStatus.BAD_REQUEST_400,
          "malformed query string: " + e.getMessage());
      return null;
    }
    Subscription subscription;
    try {
      subscription = gateway.subscribe(query, ClientIdentity.anonymous(remote));
    } catch (SubscriptionException e) {
      log.info("refused a websocket from {}: {}", remote, e.getMessage());
      PlainText.respond(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
      return null;
    } catch (GatewayBusyException e) {
      log.warn("refused a websocket from {}: {}", remote, e.getMessage());
      PlainText.respond(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, e.getMessage());
      return null;
    }
    return new ClientEndpoint(gateway, subscription, registry);
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
