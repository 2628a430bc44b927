package dev.cluws.cli;

import dev.cluws.amqp.history.HistorySettings;
import dev.cluws.cli.demo.DemoSettings;
import dev.cluws.cli.logging.LogFormat;

/**
 * The settings of the {@code clu-ws} process besides the gateway's own.
 *
 * @param logFormat how log events are written
 * @param demo whether and how the demo actor runs beside the gateway
 * @param embeddedBroker whether to start the embedded broker in any case ({@code --demo} starts it
 *     when no broker listens at the configured address)
 * @param plugins the providers found and the checked values of their settings, or {@code null} to
 *     let the gateway find them (with no settings given)
 * @param history the shared history stream ({@code --history-stream}), or {@code null}
 */
record ProcessSettings(
    LogFormat logFormat,
    DemoSettings demo,
    boolean embeddedBroker,
    PluginOptions.Setup plugins,
    HistorySettings history) {
  ProcessSettings(LogFormat logFormat, DemoSettings demo, boolean embeddedBroker) {
    this(logFormat, demo, embeddedBroker, null, null);
  }

  ProcessSettings(
      LogFormat logFormat, DemoSettings demo, boolean embeddedBroker, PluginOptions.Setup plugins) {
    this(logFormat, demo, embeddedBroker, plugins, null);
  }
}
