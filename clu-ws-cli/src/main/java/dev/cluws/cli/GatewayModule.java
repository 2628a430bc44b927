package dev.cluws.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.amqp.history.HistorySettings;
import dev.cluws.amqp.history.StreamHistory;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.access.AccessPolicy;

/**
 * The gateway core with its AMQP settings. Building a {@link Gateway} finds the providers but opens
 * no connection; {@code start()} does that, outside Guice.
 */
final class GatewayModule extends AbstractModule {
  private final GatewaySettings gatewaySettings;
  private final AmqpSettings amqpSettings;
  private final PluginOptions.Setup plugins;
  private final HistorySettings history;

  GatewayModule(GatewaySettings gatewaySettings, AmqpSettings amqpSettings) {
    this(gatewaySettings, amqpSettings, null);
  }

  /** With the plugins found and their settings ({@code null}: the gateway finds them). */
  GatewayModule(
      GatewaySettings gatewaySettings, AmqpSettings amqpSettings, PluginOptions.Setup plugins) {
    this(gatewaySettings, amqpSettings, plugins, null);
  }

  /** With the shared history stream ({@code null}: none). */
  GatewayModule(
      GatewaySettings gatewaySettings,
      AmqpSettings amqpSettings,
      PluginOptions.Setup plugins,
      HistorySettings history) {
    this.history = history;
    this.gatewaySettings = gatewaySettings;
    this.amqpSettings = amqpSettings;
    this.plugins = plugins;
  }

  @Override
  protected void configure() {
    bind(GatewaySettings.class).toInstance(gatewaySettings);
    bind(AmqpSettings.class).toInstance(amqpSettings);
  }

  /** Unscoped: every server gets its own gateway (a gateway that failed to start is final). */
  @Provides
  Gateway gateway(GatewaySettings settings, AmqpSettings amqp, AccessPolicy accessPolicy) {
    Gateway.Builder builder =
        Gateway.builder().gatewaySettings(settings).settings(amqp).accessPolicy(accessPolicy);
    if (plugins != null) {
      builder
          .filterProviders(plugins.installed().filters())
          .sourceProviders(plugins.installed().sources())
          .sinkProviders(plugins.installed().sinks())
          .pluginConfiguration(plugins.configuration());
    }
    if (history != null) {
      // Opens its connection only when the gateway starts.
      builder.history(new StreamHistory(amqp, history, settings.name()));
    }
    return builder.build();
  }
}
