package dev.cluws.core.spi;

import java.util.List;
import java.util.Map;

/** What a {@link ReplyFilterProvider} learns about the client it creates a filter for. */
public interface FilterContext {
  /** An id unique among the gateway's connected clients. */
  String clientId();

  /**
   * The values the client gave for this provider's parameter, in order, with comma-separated lists
   * already split and blanks removed (e.g. {@code ?actors=a,b&actors=c} gives {@code [a, b, c]}).
   */
  List<String> values();

  /**
   * The gateway's own name (the {@code sender} of the frames it makes). Not a way to tell those
   * frames apart: a filter never sees them (see {@link ReplyFilter}), and an actor's reply may name
   * the gateway as its sender.
   */
  String gatewayName();

  /** Who the client is (anonymous unless the server authenticated it). */
  default ClientIdentity identity() {
    return ClientIdentity.anonymous("unknown");
  }

  /**
   * The provider's options: parameters named {@code <provider name>.<option>}, keyed by option and
   * split like {@link #values()} (e.g. {@code ?own=true&own.broadcasts=true} gives the provider
   * named {@code own} the values {@code [true]} and the options {@code {broadcasts=[true]}}). Empty
   * when there are none.
   */
  default Map<String, List<String>> options() {
    return Map.of();
  }

  /**
   * The provider's settings ({@link PluginProvider#settings()}) as the operator gave them when the
   * gateway started: the same for every client. Empty for a provider that declares none.
   */
  default PluginSettings pluginSettings() {
    return PluginSettings.empty();
  }

  /**
   * Whether the reply answers one of this client's unfinished commands: this client sent a command
   * with the reply's {@code command_id} to the reply's {@code sender}, and the gateway has not yet
   * seen that command's final reply ({@code :} or {@code f}; the final reply itself still counts).
   * Matching the actor as well as the id keeps two clients that number their commands alike ({@code
   * 1}, {@code 2}, …) apart unless they command the same actor. The gateway remembers a bounded
   * number of a client's commands for a bounded time (see {@code
   * GatewaySettings.trackedCommands()}). Always {@code false} for a reply without a command id.
   */
  default boolean isOwnReply(Reply reply) {
    return false;
  }
}
