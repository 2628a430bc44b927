package dev.cluws.filters;

import dev.cluws.core.spi.FilterContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the values and options a client gave a built-in filter, with error messages that tell the
 * client what to write instead. The gateway prefixes each message with {@code invalid parameter
 * '<name>': }.
 */
final class Parameters {
  private Parameters() {}

  /**
   * Rejects every option: the filter takes values only.
   *
   * @param example a valid use of the filter, shown in the message
   */
  static void noOptions(String name, FilterContext context, String example) {
    Map<String, List<String>> options = context.options();
    if (!options.isEmpty()) {
      throw new IllegalArgumentException(
          String.format(
              "unknown option '%s.%s': the %s filter has no options; give its values as %s",
              name, new TreeSet<>(options.keySet()).first(), name, example));
    }
  }

  /**
   * Rejects every option not in {@code known}.
   *
   * @param usage the filter's options as a client writes them, shown in the message
   */
  static void onlyOptions(String name, FilterContext context, Set<String> known, String usage) {
    for (String option : new TreeSet<>(context.options().keySet())) {
      if (!known.contains(option)) {
        throw new IllegalArgumentException(
            String.format(
                "unknown option '%s.%s': the %s filter's options are %s",
                name, option, name, usage));
      }
    }
  }

  /**
   * A {@code true}/{@code false} value (case ignored).
   *
   * @param what the parameter as the client wrote it ({@code own}, {@code own.broadcasts})
   * @param values the values given
   * @param absent the value when none is given, or {@code null} when a value is required
   */
  static boolean flag(String what, List<String> values, Boolean absent) {
    if (values == null || values.isEmpty()) {
      if (absent == null) {
        throw new IllegalArgumentException(
            String.format("%s needs a value: true or false, e.g. %s=false", what, what));
      }
      return absent;
    }
    if (values.size() > 1) {
      throw new IllegalArgumentException(
          String.format(
              "%s takes one value, true or false, but got %d: %s",
              what, values.size(), String.join(",", values)));
    }
    String value = values.get(0);
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException(
        String.format("%s must be true or false, not '%s'", what, value));
  }

  /** The character at {@code index} as the client typed it (a whole code point), for messages. */
  static String characterAt(String text, int index) {
    return Character.toString(text.codePointAt(index));
  }
}
