package dev.cluws.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.cluws.core.Gateway;
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

  @Provides
  @Singleton
  WebsocketServer server(Gateway gateway, ServerSettings settings) {
    return new WebsocketServer(gateway, settings);
  }
}
