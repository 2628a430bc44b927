package dev.cluws.core.spi;

import java.util.Objects;

/**
 * A command for an actor, as a websocket client asked for it.
 *
 * @param consumer the actor that should run the command
 * @param commandString the command line, e.g. {@code "status"} or {@code "ping"}
 * @param commandId the id that ties the actor's replies to this command; never {@code null} (the
 *     codec generates one when the client gives none)
 */
public record Command(String consumer, String commandString, String commandId) {
  public Command {
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(commandString, "commandString");
    Objects.requireNonNull(commandId, "commandId");
  }
}
