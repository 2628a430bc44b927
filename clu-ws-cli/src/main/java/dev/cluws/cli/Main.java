package dev.cluws.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;
import java.io.PrintWriter;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Entry point of the {@code clu-ws} command: parses options, creates the one injector, starts the
 * server, waits for SIGINT/SIGTERM, stops.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  /** Exit status when the gateway cannot start (broker unreachable, port taken, bad option). */
  static final int CANNOT_START = 1;

  /** Runs a gateway with parsed settings; returns the exit status. */
  @FunctionalInterface
  interface Runner {
    int run(GatewaySettings gateway, AmqpSettings amqp, ServerSettings server);
  }

  private Main() {}

  public static void main(String[] args) {
    System.exit(execute(args, System.getenv(), new PrintWriter(System.err, true)));
  }

  /** Parses and runs; returns the exit status. Errors are printed as one line to {@code err}. */
  static int execute(String[] args, Map<String, String> environment, PrintWriter err) {
    Runner runner = (gateway, amqp, server) -> serve(gateway, amqp, server, err);
    CommandLine commandLine = new CommandLine(new CluWsCommand(environment, runner));
    commandLine.setErr(err);
    return commandLine.execute(args);
  }

  static int serve(
      GatewaySettings gatewaySettings,
      AmqpSettings amqpSettings,
      ServerSettings serverSettings,
      PrintWriter err) {
    Injector injector =
        Guice.createInjector(
            new GatewayModule(gatewaySettings, amqpSettings), new ServerModule(serverSettings));
    WebsocketServer server = injector.getInstance(WebsocketServer.class);
    try {
      server.start();
    } catch (CluWsException e) {
      err.println("clu-ws: " + e.getMessage());
      server.close();
      return CANNOT_START;
    }
    Thread hook = new Thread(server::close, "clu-ws-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    log.info(
        "clu-ws {} listening on ws://{}:{}/ as {}",
        VersionProvider.version(),
        serverSettings.host(),
        server.port(),
        gatewaySettings.name());
    try {
      server.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
    }
    return 0;
  }
}
