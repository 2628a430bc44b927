package dev.cluws.core.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.codec.DecodedFrame.HistoryFrame;
import dev.cluws.core.codec.DecodedFrame.InvalidFrame;
import dev.cluws.core.codec.DecodedFrame.SnapshotFrame;
import dev.cluws.core.codec.DecodedFrame.SubscribeFrame;
import dev.cluws.core.codec.DecodedFrame.UnsubscribeFrame;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads control frames: {@code subscribe}, {@code unsubscribe}, {@code snapshot} and {@code
 * history} (with a shared history, see {@code docs/protocol.md}). Strict, because a typo in a
 * control frame would otherwise silently change nothing: unknown actions and unknown fields are
 * errors that say what was expected.
 */
public final class ControlFrames {
  /** The field that makes a frame a control frame. */
  static final String CONTROL = "control";

  public static final String SUBSCRIBE = "subscribe";
  public static final String UNSUBSCRIBE = "unsubscribe";
  static final String SNAPSHOT = "snapshot";
  public static final String HISTORY = "history";
  private static final String SINCE = "since";
  private static final String MINUTES = "minutes";
  private static final String LIMIT = "limit";

  private static final String COMMAND_ID = "command_id";
  private static final String FILTERS = "filters";
  private static final String ACTORS = "actors";
  private static final String OWN_REPLIES = "own_replies";

  private ControlFrames() {}

  static DecodedFrame decode(ObjectNode root, String commandId) {
    JsonNode action = root.get(CONTROL);
    if (action == null || !action.isTextual()) {
      return invalid(
          "'control' must be one of \"subscribe\", \"unsubscribe\", \"snapshot\", got "
              + (action == null ? "nothing" : FrameCodec.typeOf(action)),
          commandId);
    }
    if (root.has("consumer") || root.has("command_string")) {
      return invalid(
          "a frame with 'control' is a control frame and is never sent to an actor: remove"
              + " 'consumer' and 'command_string', or remove 'control' to send a command",
          commandId);
    }
    switch (action.asText()) {
      case SUBSCRIBE:
        return subscribe(root, commandId);
      case UNSUBSCRIBE:
        return unsubscribe(root, commandId);
      case SNAPSHOT:
        return snapshot(root, commandId);
      case HISTORY:
        return history(root, commandId);
      default:
        return invalid(
            "unknown control '"
                + action.asText()
                + "': expected \"subscribe\", \"unsubscribe\" or \"snapshot\"",
            commandId);
    }
  }

  private static DecodedFrame subscribe(ObjectNode root, String commandId) {
    String unknown = unknownField(root, Set.of(CONTROL, COMMAND_ID, FILTERS, OWN_REPLIES));
    if (unknown != null) {
      return invalid(
          "unknown field '"
              + unknown
              + "' in a subscribe frame (expected 'control', 'command_id', 'filters' and"
              + " 'own_replies')",
          commandId);
    }
    JsonNode ownReplies = root.get(OWN_REPLIES);
    if (ownReplies != null
        && !(ownReplies.isTextual()
            && (ownReplies.asText().equals("always") || ownReplies.asText().equals("filtered")))) {
      return invalid(
          "'own_replies' must be \"always\" or \"filtered\"; got " + describe(ownReplies),
          commandId);
    }
    JsonNode filters = root.get(FILTERS);
    if (filters == null && ownReplies != null) {
      return new SubscribeFrame(commandId, Map.of(), ownReplies.asText());
    }
    if (filters == null || !filters.isObject() || filters.isEmpty()) {
      return invalid(
          "a subscribe frame needs 'filters', an object of filter names to values, e.g."
              + " {\"control\": \"subscribe\", \"filters\": {\"actors\": \"lvmecp\"}}"
              + (filters == null ? "" : "; got " + describe(filters)),
          commandId);
    }
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = filters.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      if (name.isBlank() || name.startsWith(".") || name.endsWith(".")) {
        return invalid("'" + name + "' is not a filter name", commandId);
      }
      List<String> values = new ArrayList<>();
      String error = collect(field.getValue(), values);
      if (error != null) {
        return invalid("filter '" + name + "': " + error, commandId);
      }
      parameters.put(name, List.copyOf(values));
    }
    return new SubscribeFrame(
        commandId, parameters, ownReplies == null ? null : ownReplies.asText());
  }

  private static DecodedFrame unsubscribe(ObjectNode root, String commandId) {
    String unknown = unknownField(root, Set.of(CONTROL, COMMAND_ID, FILTERS));
    if (unknown != null) {
      return invalid(unknownFieldMessage(unknown, UNSUBSCRIBE, "filters"), commandId);
    }
    JsonNode filters = root.get(FILTERS);
    if (filters == null || filters.isNull()) {
      return new UnsubscribeFrame(commandId, null);
    }
    List<String> names = new ArrayList<>();
    String error = filters.isObject() ? "must be a list of names" : collect(filters, names);
    if (error != null || names.isEmpty()) {
      return invalid(
          "'filters' of an unsubscribe frame "
              + (error != null ? error : "names no filter")
              + "; give a list of filter names, e.g. [\"actors\"], or leave it out to remove every"
              + " filter",
          commandId);
    }
    return new UnsubscribeFrame(commandId, List.copyOf(names));
  }

  private static DecodedFrame snapshot(ObjectNode root, String commandId) {
    String unknown = unknownField(root, Set.of(CONTROL, COMMAND_ID, ACTORS));
    if (unknown != null) {
      return invalid(unknownFieldMessage(unknown, SNAPSHOT, "actors"), commandId);
    }
    JsonNode actors = root.get(ACTORS);
    if (actors == null || actors.isNull()) {
      return new SnapshotFrame(commandId, List.of());
    }
    List<String> names = new ArrayList<>();
    String error = actors.isObject() ? "must be a list of actor names" : collect(actors, names);
    if (error != null) {
      return invalid("'actors' " + error, commandId);
    }
    if (names.isEmpty()) {
      return invalid(
          "'actors' names no actor; give names or patterns, e.g. [\"lvm*\"], or leave it out for"
              + " every actor",
          commandId);
    }
    for (String name : names) {
      for (int i = 0; i < name.length(); i++) {
        if (Character.isWhitespace(name.charAt(i))) {
          return invalid("'actors': '" + name + "' is not an actor name or pattern", commandId);
        }
      }
    }
    return new SnapshotFrame(commandId, List.copyOf(names));
  }

  private static DecodedFrame history(ObjectNode root, String commandId) {
    String unknown = unknownField(root, Set.of(CONTROL, COMMAND_ID, ACTORS, SINCE, MINUTES, LIMIT));
    if (unknown != null) {
      return invalid(
          "unknown field '"
              + unknown
              + "' in a history frame (expected 'control', 'command_id', 'actors', 'since' or"
              + " 'minutes', and 'limit')",
          commandId);
    }
    JsonNode since = root.get(SINCE);
    JsonNode minutes = root.get(MINUTES);
    if ((since == null) == (minutes == null)) {
      return invalid(
          "a history frame needs either 'since' (an ISO-8601 time, e.g."
              + " \"2026-12-07T03:00:00Z\") or 'minutes' (the last n minutes), not "
              + (since == null ? "neither" : "both"),
          commandId);
    }
    Instant from;
    if (since != null) {
      from = since.isTextual() ? parseTime(since.asText()) : null;
      if (from == null) {
        return invalid(
            "'since' must be an ISO-8601 time with a zone, e.g. \"2026-12-07T03:00:00Z\"; got "
                + (since.isTextual() ? "'" + since.asText() + "'" : FrameCodec.typeOf(since)),
            commandId);
      }
    } else {
      if (!minutes.isNumber() || minutes.asDouble() <= 0 || minutes.asDouble() > 525_600) {
        return invalid(
            "'minutes' must be a positive number (at most a year); got "
                + (minutes.isNumber() ? minutes.asText() : FrameCodec.typeOf(minutes)),
            commandId);
      }
      from = Instant.now().minusMillis(Math.round(minutes.asDouble() * 60_000));
    }
    JsonNode limit = root.get(LIMIT);
    if (limit != null
        && (!limit.canConvertToInt() || !limit.isIntegralNumber() || limit.asInt() < 1)) {
      return invalid("'limit' must be a positive whole number", commandId);
    }
    JsonNode actors = root.get(ACTORS);
    List<String> names = new ArrayList<>();
    if (actors != null && !actors.isNull()) {
      String error = actors.isObject() ? "must be a list of actor names" : collect(actors, names);
      if (error != null) {
        return invalid("'actors' " + error, commandId);
      }
    }
    return new HistoryFrame(commandId, List.copyOf(names), from, limit == null ? 0 : limit.asInt());
  }

  /** An ISO-8601 time with a zone ({@code Z} or an offset), or {@code null}. */
  public static Instant parseTime(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Adds a value's texts to {@code out}: a string is split at commas, a list contributes each
   * element, a boolean or number its text. Returns what is wrong, or {@code null}.
   */
  private static String collect(JsonNode value, List<String> out) {
    if (value.isArray()) {
      for (JsonNode element : value) {
        if (element.isArray() || element.isObject() || element.isNull()) {
          return "a list may hold strings, numbers and booleans only, got "
              + FrameCodec.typeOf(element);
        }
        String error = collect(element, out);
        if (error != null) {
          return error;
        }
      }
      return null;
    }
    if (value.isTextual()) {
      for (String part : value.asText().split(",", -1)) {
        String trimmed = part.trim();
        if (!trimmed.isEmpty()) {
          out.add(trimmed);
        }
      }
      return null;
    }
    if (value.isNumber() || value.isBoolean()) {
      out.add(value.asText());
      return null;
    }
    return "must be a string, a number, a boolean or a list of them, got "
        + FrameCodec.typeOf(value);
  }

  private static String unknownField(ObjectNode root, Set<String> known) {
    Iterator<String> names = root.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        return name;
      }
    }
    return null;
  }

  private static String unknownFieldMessage(String field, String action, String expected) {
    return "unknown field '"
        + field
        + "' in a "
        + action
        + " frame (expected 'control', 'command_id' and '"
        + expected
        + "')";
  }

  private static String describe(JsonNode node) {
    return node.isObject() ? "an empty object" : FrameCodec.typeOf(node);
  }

  private static InvalidFrame invalid(String message, String commandId) {
    return new InvalidFrame(message, commandId);
  }
}
