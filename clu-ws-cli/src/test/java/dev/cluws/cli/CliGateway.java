package dev.cluws.cli;

import com.google.inject.Injector;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.jetty.reload.Reloader;
import dev.cluws.testkit.TestBroker;
import java.net.URI;
import java.util.Map;
import picocli.CommandLine;

/**
 * A gateway started from {@code clu-ws} options the way {@link Main} starts one (the same parsing,
 * injector, plugins, history stream, server and reloading), on loopback with a unique exchange and
 * name, without blocking.
 */
final class CliGateway implements AutoCloseable {
  final String exchange = TestBroker.uniqueName("cli-ex");
  final String name = TestBroker.uniqueName("cli-gw");
  final WebsocketServer server;
  final Reloader reloader;
  final SecurityConfig security;

  private CliGateway(String... options) {
    String[] argv = GatewayArgs.onTestBroker(0, exchange, name, options).toArray(new String[0]);
    CluWsCommand command = new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 0);
    CommandLine commandLine = new CommandLine(command);
    ConfigDefaults.install(commandLine, Map.of(), argv);
    commandLine.parseArgs(argv);
    security = command.securityConfig();
    ProcessSettings process = command.processSettings();
    Injector injector =
        Main.injector(
            command.gatewaySettings(),
            command.amqpSettings(),
            command.serverSettings(),
            security,
            process.demo(),
            process.plugins(),
            process.history());
    server = injector.getInstance(WebsocketServer.class).start();
    reloader = Main.startReloading(security, server, HangupSignal.install());
  }

  /** Starts a gateway with these options (besides address, port, broker, exchange and name). */
  static CliGateway start(String... options) {
    return new CliGateway(options);
  }

  URI uri() {
    return server.uri();
  }

  @Override
  public void close() {
    reloader.close();
    server.close();
  }
}
