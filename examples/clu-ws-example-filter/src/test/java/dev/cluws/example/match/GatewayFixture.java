package dev.cluws.example.match;

import dev.cluws.amqp.AmqpSettings;
import dev.cluws.amqp.testing.CluTestActor;
import dev.cluws.amqp.testing.TestBroker;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A real gateway for one test, as an application embeds it: the real RabbitMQ on 127.0.0.1 with a
 * unique exchange and gateway name, the real Jetty server on an ephemeral loopback port, filter
 * providers found on the class path, and CLU test actors on the same exchange. (A minimal copy of
 * clu-ws-cli's fixture.)
 */
final class GatewayFixture implements AutoCloseable {
  final AmqpSettings amqp = TestBroker.settings();
  final String name = TestBroker.uniqueName("gw");
  final WebsocketServer server;
  private final List<AutoCloseable> resources = new ArrayList<>();

  GatewayFixture() {
    Gateway gateway =
        Gateway.builder().gatewaySettings(GatewaySettings.named(name)).settings(amqp).build();
    server =
        new WebsocketServer(gateway, ServerSettings.defaults().withHost("127.0.0.1").withPort(0))
            .start();
  }

  Gateway gateway() {
    return server.gateway();
  }

  URI uri(String pathAndQuery) {
    return server.uri().resolve(pathAndQuery);
  }

  /** A CLU actor with a unique name on this gateway's exchange. */
  CluTestActor actor() {
    CluTestActor actor = CluTestActor.start(amqp.exchange(), TestBroker.uniqueName("actor"));
    resources.add(actor);
    return actor;
  }

  WsClient client(String pathAndQuery) {
    WsClient client = WsClient.connect(uri(pathAndQuery));
    resources.add(client);
    return client;
  }

  @Override
  public void close() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    server.close();
  }
}
