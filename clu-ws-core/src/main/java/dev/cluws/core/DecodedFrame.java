package dev.cluws.core;

import dev.cluws.core.spi.Command;

/** What a client's text frame turned out to be. */
public sealed interface DecodedFrame {

  /** A valid CLU command frame. */
  record CommandFrame(Command command) implements DecodedFrame {}

  /**
   * A frame that is not a valid command.
   *
   * @param error what was wrong, for the client
   * @param commandId the frame's {@code command_id} if it had a usable one, else {@code null}
   */
  record InvalidFrame(String error, String commandId) implements DecodedFrame {}
}
