package dev.cluws.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import dev.cluws.core.Gateway;
import dev.cluws.jetty.SecuritySettings;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;

/** The websocket server around the gateway. Creates it; starting is {@link Main}'s job. */
final class ServerModule extends AbstractModule {
  private final ServerSettings serverSettings;

  ServerModule(ServerSettings serverSettings) {
    this.serverSettings = serverSettings;
  }

  @Override
  protected void configure() {
    bind(ServerSettings.class).toInstance(serverSettings);
  }

  /** Unscoped: each start attempt ({@code --wait-for-broker}) builds a new server and gateway. */
  @Provides
  WebsocketServer server(Gateway gateway, ServerSettings settings, SecuritySettings security) {
    return new WebsocketServer(gateway, settings, security);
  }
}
