package dev.cluws.cli;

import dev.cluws.amqp.AmqpSettings;
import dev.cluws.core.GatewaySettings;
import dev.cluws.jetty.ServerSettings;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code clu-ws} command line: CLU's {@code clu websocket} options and the ones CLU lacks, in
 * one group per topic (the sections of {@code --help}). Only parses; {@link Main} runs the gateway.
 */
@Command(
    name = "clu-ws",
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    customSynopsis = "clu-ws [OPTION]...",
    description = {
      "",
      "A websocket gateway to CLU actors on RabbitMQ, wire-compatible with CLU's websocket server"
          + " (clu websocket): every websocket client receives every actor reply as JSON and can"
          + " send {\"consumer\", \"command_string\", \"command_id\"} to command an actor."
    },
    footer = {
      "",
      "Every option can also come from the environment as CLU_WS_<OPTION> (e.g."
          + " CLU_WS_RABBITMQ_PASSWORD for --rabbitmq-password), from a file named by"
          + " CLU_WS_<OPTION>_FILE (for secrets), or from the config file (--config; key = option"
          + " name without '--'). Flags win over the environment, which wins over the file. See"
          + " docs/configuration.md and docs/security.md.",
      "",
      "Plugins may have settings of their own: --filter.<name>.<key>=<value> (and --source.,"
          + " --sink.), CLU_WS_FILTER_<NAME>_<KEY>, or the config-file key filter.<name>.<key>;"
          + " --help-plugins lists them."
    })
public final class CluWsCommand implements Callable<Integer> {
  static final String PASSWORD_ENV = "CLU_WS_RABBITMQ_PASSWORD";
  static final String URL_ENV = "CLU_WS_RABBITMQ_URL";

  @ArgGroup(validate = false, heading = "%nBroker:%n", order = 1)
  BrokerOptions broker = new BrokerOptions();

  @ArgGroup(validate = false, heading = "%nWeb:%n", order = 2)
  HttpOptions httpEndpoints = new HttpOptions();

  @ArgGroup(validate = false, heading = "%nLimits:%n", order = 3)
  LimitOptions limits = new LimitOptions();

  @ArgGroup(validate = false, heading = "%nSecurity:%n", order = 4)
  SecurityOptions security = new SecurityOptions();

  @ArgGroup(validate = false, heading = "%nOperations:%n", order = 5)
  ProcessOptions process = new ProcessOptions();

  @ArgGroup(validate = false, heading = "%nDemo:%n", order = 6)
  DemoOptions demo = new DemoOptions();

  @ArgGroup(
      validate = false,
      heading = "%nScaling out (a history shared by every instance):%n",
      order = 7)
  HistoryOptions history = new HistoryOptions();

  private final Map<String, String> environment;
  private final Main.Runner runner;

  /** The plugin settings taken out of the arguments and the config file (see {@link Main}). */
  private PluginOptions pluginOptions = PluginOptions.extract(new String[0]);

  @Spec CommandSpec spec;

  CluWsCommand(Map<String, String> environment, Main.Runner runner) {
    this.environment = environment;
    this.runner = runner;
  }

  /** Sets the plugin settings given on the command line and in the config file. */
  void pluginOptions(PluginOptions options) {
    this.pluginOptions = options;
  }

  @Override
  public Integer call() {
    if (process.helpPlugins) {
      spec.commandLine().getOut().print(PluginOptions.help(PluginOptions.Installed.load()));
      spec.commandLine().getOut().flush();
      return 0;
    }
    return runner.run(
        gatewaySettings(),
        amqpSettings(),
        serverSettings(),
        broker.waitForBroker,
        securityConfig(),
        processSettings());
  }

  GatewaySettings gatewaySettings() {
    return limits.applyTo(
        broker.name == null ? GatewaySettings.defaults() : GatewaySettings.named(broker.name));
  }

  AmqpSettings amqpSettings() {
    return broker.amqpSettings(environment);
  }

  /**
   * The security settings, with every key, token and rules file read and checked.
   *
   * @throws dev.cluws.core.spi.CluWsException naming the option or file that is wrong
   */
  SecurityConfig securityConfig() {
    return security.securityConfig();
  }

  ServerSettings serverSettings() {
    return httpEndpoints.applyTo(ServerSettings.defaults());
  }

  /**
   * The process's own settings: log format, demo actor, embedded broker, plugins.
   *
   * @throws dev.cluws.core.spi.CluWsException when the demo actor's name is not usable
   * @throws dev.cluws.core.PluginConfiguration.InvalidSettingException when a plugin setting is not
   *     one an installed plugin has, or its value is not of the setting's type
   */
  ProcessSettings processSettings() {
    return new ProcessSettings(
        process.logFormat,
        demo.settings(),
        broker.embeddedBroker,
        pluginOptions.resolve(PluginOptions.Installed.load(), environment),
        history.settings());
  }
}
