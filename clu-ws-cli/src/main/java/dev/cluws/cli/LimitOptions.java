package dev.cluws.cli;

import dev.cluws.core.GatewaySettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The gateway's bounds: connections, per-client buffers, slow clients, replay, command rate. */
final class LimitOptions {
  @Option(
      names = "--max-connections",
      paramLabel = "<n>",
      defaultValue = "" + GatewaySettings.DEFAULT_MAX_CONNECTIONS,
      description =
          "Websocket clients served at once; more are refused with 503 (default:"
              + " ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(
      names = "--outbox-frames",
      paramLabel = "<n>",
      defaultValue = "" + GatewaySettings.DEFAULT_OUTBOX_FRAMES,
      description =
          "Frames queued per client before the oldest are shed (default: ${DEFAULT-VALUE}).")
  int outboxFrames;

  @Option(
      names = "--outbox-bytes",
      paramLabel = "<bytes>",
      defaultValue = "" + GatewaySettings.DEFAULT_OUTBOX_BYTES,
      description =
          "Bytes queued per client before the oldest frames are shed (default: ${DEFAULT-VALUE}).")
  long outboxBytes;

  @Option(
      names = "--slow-client-timeout",
      paramLabel = "<duration>",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "Close a client (1008) whose queue stays full this long (default: ${DEFAULT-VALUE}).")
  Duration slowClientTimeout;

  @Option(
      names = "--replay-frames",
      paramLabel = "<n>",
      defaultValue = "" + GatewaySettings.DEFAULT_REPLAY_FRAMES,
      description =
          "Recent replies kept for clients reconnecting with since= (0: off; default:"
              + " ${DEFAULT-VALUE}).")
  int replayFrames;

  @Option(
      names = "--replay-bytes",
      paramLabel = "<bytes>",
      defaultValue = "" + GatewaySettings.DEFAULT_REPLAY_BYTES,
      description = "Bytes of frames kept for replay at most (default: ${DEFAULT-VALUE}).")
  long replayBytes;

  @Option(
      names = "--command-rate",
      paramLabel = "<per-second>",
      defaultValue = "50", // GatewaySettings.DEFAULT_COMMANDS_PER_SECOND, as the README writes it
      description = "Commands per second one client may send (default: ${DEFAULT-VALUE}).")
  double commandRate;

  @Option(
      names = "--command-burst",
      paramLabel = "<n>",
      defaultValue = "" + GatewaySettings.DEFAULT_COMMAND_BURST,
      description =
          "Commands one client may send at once before the rate applies (default:"
              + " ${DEFAULT-VALUE}).")
  int commandBurst;

  @Option(
      names = "--state-actors",
      paramLabel = "<n>",
      defaultValue = "" + GatewaySettings.DEFAULT_STATE_ACTORS,
      description =
          "Actors whose current state (latest value of each keyword) is kept for snapshots (0: off;"
              + " default: ${DEFAULT-VALUE}).")
  int stateActors;

  @Option(
      names = "--state-keywords",
      paramLabel = "<n>",
      defaultValue = "" + GatewaySettings.DEFAULT_STATE_KEYWORDS,
      description = "Keywords kept per actor for snapshots (default: ${DEFAULT-VALUE}).")
  int stateKeywords;

  @Option(
      names = "--state-bytes",
      paramLabel = "<bytes>",
      defaultValue = "" + GatewaySettings.DEFAULT_STATE_BYTES,
      description =
          "Bytes of keyword values kept for snapshots at most (default: ${DEFAULT-VALUE}).")
  long stateBytes;

  /** These bounds applied to the given settings. */
  GatewaySettings applyTo(GatewaySettings settings) {
    return settings.toBuilder()
        .maxConnections(maxConnections)
        .outbox(outboxFrames, outboxBytes)
        .slowClientTimeout(slowClientTimeout)
        .replay(replayFrames, replayBytes)
        .commandRate(commandRate, commandBurst)
        .state(stateActors, stateKeywords, stateBytes)
        .build();
  }
}
