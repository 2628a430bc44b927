package dev.cluws.amqp;

import dev.cluws.core.spi.MessageSource;
import dev.cluws.core.spi.MessageSourceProvider;
import dev.cluws.core.spi.ProviderContext;
import dev.cluws.core.spi.SpiVersion;

/**
 * The {@code amqp} message source: CLU replies from RabbitMQ, configured by {@link AmqpSettings}.
 */
public final class AmqpMessageSourceProvider implements MessageSourceProvider {
  @Override
  public String name() {
    return "amqp";
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public MessageSource create(ProviderContext context) {
    return new AmqpMessageSource(
        context.settings(AmqpSettings.class).orElseGet(AmqpSettings::defaults),
        context.gatewayName(),
        context.jsonReader());
  }
}
