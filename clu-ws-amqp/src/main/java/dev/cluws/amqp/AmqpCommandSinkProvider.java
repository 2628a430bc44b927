package dev.cluws.amqp;

import dev.cluws.core.spi.CommandSink;
import dev.cluws.core.spi.CommandSinkProvider;
import dev.cluws.core.spi.ProviderContext;
import dev.cluws.core.spi.SpiVersion;

/** The {@code amqp} command sink: CLU commands to RabbitMQ, configured by {@link AmqpSettings}. */
public final class AmqpCommandSinkProvider implements CommandSinkProvider {
  @Override
  public String name() {
    return "amqp";
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public CommandSink create(ProviderContext context) {
    return new AmqpCommandSink(
        context.settings(AmqpSettings.class).orElseGet(AmqpSettings::defaults),
        context.gatewayName(),
        context.jsonWriter());
  }
}
