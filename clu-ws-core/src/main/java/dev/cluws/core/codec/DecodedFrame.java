package dev.cluws.core.codec;

import dev.cluws.core.spi.Command;
import java.util.List;
import java.util.Map;

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

  /**
   * A control frame: a JSON object with a {@code "control"} field, which the gateway answers itself
   * and never publishes. A CLU command frame never has that field.
   */
  sealed interface ControlFrame extends DecodedFrame {
    /** The frame's {@code command_id}, echoed in the answer, or {@code null}. */
    String commandId();
  }

  /**
   * {@code {"control": "subscribe", "filters": {...}, "own_replies": "always"}}: adds or replaces
   * filters, and sets whether replies to the client's own commands pass them regardless.
   *
   * @param parameters the filters as parameters ({@code name} or {@code name.option} to values;
   *     empty when the frame only sets {@code own_replies})
   * @param ownReplies {@code "always"}, {@code "filtered"}, or {@code null} to leave it as it is
   */
  record SubscribeFrame(String commandId, Map<String, List<String>> parameters, String ownReplies)
      implements ControlFrame {
    public SubscribeFrame(String commandId, Map<String, List<String>> parameters) {
      this(commandId, parameters, null);
    }
  }

  /**
   * {@code {"control": "unsubscribe", "filters": [...]}}: removes filters.
   *
   * @param names the filters to remove, or {@code null} for all
   */
  record UnsubscribeFrame(String commandId, List<String> names) implements ControlFrame {}

  /**
   * {@code {"control": "snapshot", "actors": [...]}}: asks for the current state.
   *
   * @param actors actor names or patterns ({@code *} wildcards); empty for every actor
   */
  record SnapshotFrame(String commandId, List<String> actors) implements ControlFrame {}

  /**
   * {@code {"control": "history", "actors": [...], "since": "<ISO-8601 time>"}} or {@code
   * "minutes": n} instead of {@code since}: asks for the replies kept in the shared history.
   *
   * @param actors actor names or patterns ({@code *} wildcards); empty for every actor
   * @param since the oldest reply time asked for
   * @param limit the most replies asked for ({@code 0}: the gateway's maximum)
   */
  record HistoryFrame(String commandId, List<String> actors, java.time.Instant since, int limit)
      implements ControlFrame {}
}
