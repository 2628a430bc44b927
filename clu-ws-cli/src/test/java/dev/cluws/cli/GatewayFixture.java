package dev.cluws.cli;

import dev.cluws.amqp.AmqpSettings;
import dev.cluws.amqp.testing.CluTestActor;
import dev.cluws.amqp.testing.TestBroker;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.jetty.SecuritySettings;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A real gateway for one test: real RabbitMQ on 127.0.0.1 with a unique exchange and gateway name,
 * the real Jetty server on an ephemeral loopback port, and CLU test actors on the same exchange.
 */
final class GatewayFixture implements AutoCloseable {
  final AmqpSettings amqp = TestBroker.settings();
  final String name = TestBroker.uniqueName("gw");
  final WebsocketServer server;
  private final List<AutoCloseable> resources = new ArrayList<>();

  GatewayFixture() {
    this(ServerSettings.defaults().withHost("127.0.0.1").withPort(0));
  }

  GatewayFixture(ServerSettings serverSettings) {
    this(b -> b, serverSettings);
  }

  /** A gateway whose settings the test adjusts (its name stays the fixture's unique one). */
  GatewayFixture(UnaryOperator<GatewaySettings.Builder> adjust) {
    this(adjust, ServerSettings.defaults().withHost("127.0.0.1").withPort(0));
  }

  GatewayFixture(UnaryOperator<GatewaySettings.Builder> adjust, ServerSettings serverSettings) {
    this(adjust, serverSettings, SecuritySettings.none());
  }

  /** A gateway with security (authentication, origins, TLS). */
  GatewayFixture(SecuritySettings security) {
    this(b -> b, ServerSettings.defaults().withHost("127.0.0.1").withPort(0), security);
  }

  GatewayFixture(
      UnaryOperator<GatewaySettings.Builder> adjust,
      ServerSettings serverSettings,
      SecuritySettings security) {
    this(adjust, b -> b, serverSettings, security);
  }

  /** A gateway whose settings and building (its filter plugins, say) the test adjusts. */
  GatewayFixture(
      UnaryOperator<GatewaySettings.Builder> adjust, UnaryOperator<Gateway.Builder> build) {
    this(
        adjust,
        build,
        ServerSettings.defaults().withHost("127.0.0.1").withPort(0),
        SecuritySettings.none());
  }

  private GatewayFixture(
      UnaryOperator<GatewaySettings.Builder> adjust,
      UnaryOperator<Gateway.Builder> build,
      ServerSettings serverSettings,
      SecuritySettings security) {
    GatewaySettings settings = adjust.apply(GatewaySettings.named(name).toBuilder()).build();
    Gateway gateway =
        build.apply(Gateway.builder().gatewaySettings(settings).settings(amqp)).build();
    server = new WebsocketServer(gateway, serverSettings, security).start();
  }

  Gateway gateway() {
    return server.gateway();
  }

  URI uri() {
    return server.uri();
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

  WsClient client() {
    return client(uri());
  }

  WsClient client(URI uri) {
    WsClient client = WsClient.connect(uri);
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
