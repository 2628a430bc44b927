package dev.cluws.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.amqp.history.HistorySettings;
import dev.cluws.broker.EmbeddedBroker;
import dev.cluws.cli.demo.DemoActor;
import dev.cluws.cli.demo.DemoSettings;
import dev.cluws.cli.logging.LogFormatEncoder;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.PluginConfiguration;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.jetty.reload.Reloader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
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
    int run(
        GatewaySettings gateway,
        AmqpSettings amqp,
        ServerSettings server,
        BrokerWait brokerWait,
        SecurityConfig security,
        ProcessSettings process);
  }

  private Main() {}

  public static void main(String[] args) {
    System.exit(
        execute(
            args,
            System.getenv(),
            new PrintWriter(new OutputStreamWriter(System.err, Charset.defaultCharset()), true)));
  }

  /** Parses and runs; returns the exit status. Errors are printed as one line to {@code err}. */
  static int execute(String[] args, Map<String, String> environment, PrintWriter err) {
    return execute(
        args,
        environment,
        err,
        (gateway, amqp, server, brokerWait, security, process) ->
            serve(gateway, amqp, server, brokerWait, security, process, err));
  }

  /** Parses and hands the settings to the runner; returns the exit status. */
  static int execute(
      String[] args, Map<String, String> environment, PrintWriter err, Runner runner) {
    PluginOptions plugins;
    try {
      plugins = PluginOptions.extract(args);
    } catch (CluWsException e) {
      err.println("clu-ws: " + e.getMessage());
      return PluginOptions.USAGE;
    }
    CluWsCommand command = new CluWsCommand(environment, runner);
    command.pluginOptions(plugins);
    CommandLine commandLine = new CommandLine(command);
    commandLine.setErr(err);
    // A bad config file, key file or token file is one line and exit status 1, like a bad broker.
    commandLine.setExecutionExceptionHandler(
        (e, cl, parsed) -> {
          if (e instanceof PluginConfiguration.InvalidSettingException
              || e instanceof PluginOptions.UsageException) {
            // A wrong plugin setting is a usage error, like a wrong option: exit status 2.
            err.println("clu-ws: " + e.getMessage());
            return PluginOptions.USAGE;
          }
          if (e instanceof CluWsException) {
            err.println("clu-ws: " + e.getMessage());
            return CANNOT_START;
          }
          throw e;
        });
    String[] options = plugins.remaining();
    try {
      Map<String, String> pluginKeys = ConfigDefaults.install(commandLine, environment, options);
      if (!pluginKeys.isEmpty()) {
        plugins.addConfigFile(pluginKeys, ConfigDefaults.configPath(options, environment));
      }
    } catch (PluginOptions.UsageException e) {
      err.println("clu-ws: " + e.getMessage());
      return PluginOptions.USAGE;
    } catch (CluWsException e) {
      err.println("clu-ws: " + e.getMessage());
      return CANNOT_START;
    }
    return commandLine.execute(options);
  }

  static int serve(
      GatewaySettings gatewaySettings,
      AmqpSettings amqpSettings,
      ServerSettings serverSettings,
      BrokerWait brokerWait,
      SecurityConfig security,
      ProcessSettings process,
      PrintWriter err) {
    LogFormatEncoder.useFormat(process.logFormat());
    // Always handled, from before the server accepts anyone: the JVM's default for SIGHUP is to
    // exit, and `systemctl reload` sends it.
    HangupSignal hangup = HangupSignal.install();
    EmbeddedBroker broker;
    try {
      LocalBroker.requirePortFree(serverSettings.host(), serverSettings.port());
      broker =
          LocalBroker.startIfWanted(
              amqpSettings,
              process.embeddedBroker(),
              process.demo().enabled() && brokerWait == BrokerWait.NONE);
    } catch (CluWsException e) {
      err.println("clu-ws: " + e.getMessage());
      return CANNOT_START;
    }
    AmqpSettings amqp = amqpSettings;
    if (broker != null) {
      amqp = amqpSettings.withHost(broker.host()).withPort(broker.port());
      log.info(
          "{} an embedded AMQP broker on {}:{} ({}); CLU actors connect to it with {}",
          process.embeddedBroker()
              ? "--embedded-broker: started"
              : "no broker at "
                  + amqpSettings.host()
                  + ":"
                  + amqpSettings.port()
                  + ", so --demo started",
          broker.host(),
          broker.port(),
          EmbeddedBroker.DIFFERENCES,
          broker.amqpUri());
    }
    Injector injector =
        injector(
            gatewaySettings,
            amqp,
            serverSettings,
            security,
            process.demo(),
            process.plugins(),
            process.history());
    WebsocketServer server;
    try {
      server = brokerWait.retry(() -> start(injector));
    } catch (CluWsException e) {
      closeQuietly(broker);
      err.println("clu-ws: " + e.getMessage());
      return CANNOT_START;
    }
    DemoActor demo = null;
    if (process.demo().enabled()) {
      try {
        demo = injector.getInstance(DemoActor.class).start();
      } catch (CluWsException e) {
        server.close();
        closeQuietly(broker);
        err.println("clu-ws: " + e.getMessage());
        return CANNOT_START;
      }
    }
    Reloader reloader = startReloading(security, server, hangup);
    AutoCloseable stop = stopInOrder(reloader, demo, server, broker);
    Thread hook = new Thread(() -> closeQuietly(stop), "clu-ws-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    log.info(
        "clu-ws {} listening on {}://{}:{}/ as {}",
        VersionProvider.version(),
        security.server().tlsEnabled() ? "wss" : "ws",
        serverSettings.host(),
        server.port(),
        gatewaySettings.name());
    try {
      server.join();
    } catch (InterruptedException e) {
      closeQuietly(stop); // before restoring the flag, so that Jetty can stop gracefully
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run
      }
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** The one injector, without the demo actor. Opens no connection. */
  static Injector injector(
      GatewaySettings gatewaySettings,
      AmqpSettings amqpSettings,
      ServerSettings serverSettings,
      SecurityConfig security) {
    return injector(gatewaySettings, amqpSettings, serverSettings, security, DemoSettings.OFF);
  }

  /** The one injector: gateway, server, security and demo modules. Opens no connection. */
  static Injector injector(
      GatewaySettings gatewaySettings,
      AmqpSettings amqpSettings,
      ServerSettings serverSettings,
      SecurityConfig security,
      DemoSettings demo) {
    return injector(gatewaySettings, amqpSettings, serverSettings, security, demo, null);
  }

  /**
   * The one injector: gateway (with the plugins found and their settings, or {@code null} to let
   * the gateway find them), server, security and demo modules. Opens no connection.
   */
  static Injector injector(
      GatewaySettings gatewaySettings,
      AmqpSettings amqpSettings,
      ServerSettings serverSettings,
      SecurityConfig security,
      DemoSettings demo,
      PluginOptions.Setup plugins) {
    return injector(gatewaySettings, amqpSettings, serverSettings, security, demo, plugins, null);
  }

  /** As above, with the shared history stream ({@code null}: none). */
  static Injector injector(
      GatewaySettings gatewaySettings,
      AmqpSettings amqpSettings,
      ServerSettings serverSettings,
      SecurityConfig security,
      DemoSettings demo,
      PluginOptions.Setup plugins,
      HistorySettings history) {
    return Guice.createInjector(
        new GatewayModule(gatewaySettings, amqpSettings, plugins, history),
        new ServerModule(serverSettings),
        new SecurityModule(security.server(), security.accessPolicy()),
        new DemoModule(demo));
  }

  /**
   * Watches the token, permissions, JWT key and TLS files, and reloads them all on SIGHUP (from
   * {@code hangup}, installed before the server started).
   *
   * @return the reloader, to close at the stop
   */
  static Reloader startReloading(
      SecurityConfig security, WebsocketServer server, HangupSignal hangup) {
    Reloader reloader = security.startReloading(server);
    hangup.reloadWith(reloader);
    return reloader;
  }

  /**
   * Stops reloading, the demo actor (if any), then the server, then the embedded broker (if any):
   * the reverse of their start.
   */
  private static AutoCloseable stopInOrder(
      Reloader reloader, DemoActor demo, WebsocketServer server, EmbeddedBroker broker) {
    return () -> {
      try {
        reloader.close();
        if (demo != null) {
          demo.close();
        }
      } finally {
        try {
          server.close();
        } finally {
          closeQuietly(broker);
        }
      }
    };
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      log.warn("error while stopping: {}", e.toString());
    }
  }

  /** One start attempt with a new server and gateway: a gateway that failed to start is final. */
  private static WebsocketServer start(Injector injector) {
    WebsocketServer server = injector.getInstance(WebsocketServer.class);
    try {
      return server.start();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }
}
