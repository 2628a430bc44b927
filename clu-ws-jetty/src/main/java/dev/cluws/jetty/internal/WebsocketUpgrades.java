package dev.cluws.jetty.internal;

import java.util.function.Consumer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.common.JettyWebSocketFrameHandler;
import org.eclipse.jetty.websocket.common.JettyWebSocketFrameHandlerFactory;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.server.WebSocketCreator;
import org.eclipse.jetty.websocket.core.server.WebSocketMappings;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * Upgrades every websocket request (any path, like CLU) with {@link GatewayCreator}'s decision and
 * hands anything else to the wrapped handler: Jetty's {@code WebSocketUpgradeHandler}, except that
 * each session keeps only a {@linkplain DetachedUpgrade detached copy} of its upgrade request and
 * response, not the HTTP exchange behind them (about 4 KB less for every open websocket).
 *
 * <p>The endpoints are Jetty websocket API endpoints ({@link ClientEndpoint}) in the server's
 * {@link ServerWebSocketContainer}, which tracks their sessions as before.
 */
public final class WebsocketUpgrades extends Handler.Wrapper {
  private final WebSocketMappings mappings;
  private final WebSocketNegotiator negotiator;
  private final Configuration.ConfigurationCustomizer configuration;

  /**
   * @param configure sets the sessions' limits (message and frame sizes, idle timeout, outgoing
   *     frames)
   * @param permessageDeflate whether a client that offers {@code permessage-deflate} gets it;
   *     without, the extension is not negotiated and frames go uncompressed
   */
  public WebsocketUpgrades(
      Server server,
      WebSocketCreator creator,
      Consumer<Configuration> configure,
      boolean permessageDeflate,
      Handler next) {
    super(next);
    ServerWebSocketContainer container = ServerWebSocketContainer.ensure(server);
    WebSocketComponents components = WebSocketServerComponents.ensureWebSocketComponents(server);
    if (!permessageDeflate) {
      // An extension the registry does not know is left out of the upgrade's answer.
      components.getExtensionRegistry().unregister("permessage-deflate");
    }
    JettyWebSocketFrameHandlerFactory endpoints =
        new JettyWebSocketFrameHandlerFactory(container, components);
    container.addBean(endpoints);
    configuration = new Configuration.ConfigurationCustomizer();
    configure.accept(configuration);
    mappings = new WebSocketMappings(components);
    negotiator =
        WebSocketNegotiator.from(
            creator,
            (endpoint, request, response) -> {
              JettyWebSocketFrameHandler handler = endpoints.newJettyFrameHandler(endpoint);
              handler.setUpgradeRequest(DetachedUpgrade.request(request));
              handler.setUpgradeResponse(DetachedUpgrade.response(response));
              return handler;
            },
            configuration);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (mappings.upgrade(negotiator, request, response, callback, configuration)) {
      return true;
    }
    return super.handle(request, response, callback);
  }
}
