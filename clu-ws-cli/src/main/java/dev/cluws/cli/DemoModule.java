package dev.cluws.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.cli.demo.DemoActor;
import dev.cluws.cli.demo.DemoSettings;

/**
 * The {@code --demo} actor, on the gateway's broker and exchange. Creates it; {@link Main} starts
 * it once the gateway runs, and only when the settings enable it.
 */
final class DemoModule extends AbstractModule {
  private final DemoSettings demoSettings;

  DemoModule(DemoSettings demoSettings) {
    this.demoSettings = demoSettings;
  }

  @Override
  protected void configure() {
    bind(DemoSettings.class).toInstance(demoSettings);
  }

  /** Unscoped and unstarted: opening its connection is {@link DemoActor#start()}'s job. */
  @Provides
  DemoActor demoActor(AmqpSettings amqp, DemoSettings settings) {
    return new DemoActor(amqp, settings);
  }
}
