package dev.cluws.cli;

import dev.cluws.cli.demo.DemoSettings;
import dev.cluws.core.spi.CluWsException;
import picocli.CommandLine.Option;

/** The demo actor that {@code --demo} runs beside the gateway. */
final class DemoOptions {
  @Option(
      names = "--demo",
      description =
          "Also run a demo CLU actor on the same broker and exchange: it answers ping, status and"
              + " help, and broadcasts a changing status every few seconds.")
  boolean demo;

  @Option(
      names = "--demo-actor-name",
      paramLabel = "<name>",
      defaultValue = DemoSettings.DEFAULT_ACTOR_NAME,
      description = "Name of the --demo actor (default: ${DEFAULT-VALUE}).")
  String demoActorName = DemoSettings.DEFAULT_ACTOR_NAME;

  /**
   * The demo actor these options ask for.
   *
   * @throws CluWsException when the demo actor's name is not usable
   */
  DemoSettings settings() {
    if (!demo) {
      return DemoSettings.OFF;
    }
    try {
      return DemoSettings.actor(demoActorName);
    } catch (IllegalArgumentException e) {
      throw new CluWsException("--demo-actor-name: " + e.getMessage());
    }
  }
}
