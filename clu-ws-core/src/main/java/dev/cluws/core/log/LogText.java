package dev.cluws.core.log;

/**
 * Client-supplied text (command ids, command strings, consumers, subjects, close reasons, query
 * parameters, origins, error messages that quote a client's frame) made safe to put in a log line,
 * in every log format: whatever a client sends, the line stays one line, starts no second record,
 * moves no cursor, colours no terminal and reorders no text, and its size stays bounded.
 *
 * <ul>
 *   <li>Escaped: {@code \} as {@code \\}; line feed, carriage return and tab as {@code \n}, {@code
 *       \r}, {@code \t}; every other control character (C0, {@code DEL}, C1 such as {@code NEL}) as
 *       {@code \}{@code u001b} and the like, so an ANSI escape sequence shows as text; the Unicode
 *       line and paragraph separators and every format character (bidi overrides and isolates,
 *       zero-width characters, the byte-order mark) the same way, and a surrogate without its pair
 *       too. Other characters, accents and emoji included, are kept.
 *   <li>Truncated: at most {@value #MAX_CHARS} characters of the input by default ({@link
 *       #quoted(CharSequence, int)} takes another bound), never splitting a surrogate pair, and
 *       then followed by {@code …} and the full length: {@code "abc…" (1048576 chars)}.
 * </ul>
 *
 * Use it on the value, at the call site, for every argument that a client can influence:
 *
 * <pre>{@code
 * log.info("client {} closed: {}", id, LogText.of(reason));
 * audit.info("command_id={} command={}", LogText.field(commandId), LogText.quoted(commandString));
 * }</pre>
 */
public final class LogText {
  /** How many characters of one client-supplied value a log line shows by default. */
  public static final int MAX_CHARS = 200;

  /** Written where a value was cut. */
  public static final String ELLIPSIS = "…";

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private LogText() {}

  /**
   * The text escaped and cut at {@value #MAX_CHARS} characters ({@code abc… (1048576 chars)}), as
   * is; {@code null} as {@code null}.
   */
  public static String of(CharSequence text) {
    return of(text, MAX_CHARS);
  }

  /** The text escaped and cut at {@code maxChars} characters; {@code null} as {@code null}. */
  public static String of(CharSequence text, int maxChars) {
    return render(text, maxChars, false);
  }

  /**
   * The text in double quotes, escaped ({@code "} as {@code \"}) and cut at {@value #MAX_CHARS}
   * characters: {@code "abc…" (1048576 chars)}; {@code null} as {@code null}.
   */
  public static String quoted(CharSequence text) {
    return quoted(text, MAX_CHARS);
  }

  /** {@link #quoted(CharSequence)} cut at {@code maxChars} characters instead. */
  public static String quoted(CharSequence text, int maxChars) {
    return render(text, maxChars, true);
  }

  /**
   * A value for a {@code key=value} field: as is when it is a plain word (letters, digits and
   * {@code - _ . : / @ + , [ ]}), else {@link #quoted(CharSequence) quoted}, so that a value cannot
   * pose as another field ({@code command_id="x outcome=forwarded"}); {@code null} as {@code -}.
   */
  public static String field(CharSequence text) {
    if (text == null) {
      return "-";
    }
    int length = text.length();
    if (length == 0 || length > MAX_CHARS) {
      return quoted(text);
    }
    for (int i = 0; i < length; i++) {
      if (!isWordChar(text.charAt(i))) {
        return quoted(text);
      }
    }
    return text.toString();
  }

  /** The whole text escaped (not cut: for text whose length the server already bounds). */
  public static String escape(CharSequence text) {
    return render(text, Integer.MAX_VALUE, false);
  }

  private static String render(CharSequence text, int maxChars, boolean quote) {
    if (text == null) {
      return "null";
    }
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars must be positive: " + maxChars);
    }
    int length = text.length();
    int end = cutAt(text, maxChars);
    boolean cut = end < length;
    if (!quote && !cut && isClean(text)) {
      return text.toString();
    }
    StringBuilder out = new StringBuilder(end + (quote ? 2 : 0) + (cut ? 24 : 0));
    if (quote) {
      out.append('"');
    }
    appendEscaped(out, text, end, quote);
    if (cut) {
      out.append(ELLIPSIS);
    }
    if (quote) {
      out.append('"');
    }
    if (cut) {
      out.append(" (").append(length).append(" chars)");
    }
    return out.toString();
  }

  /** Where to cut: at most {@code maxChars}, one earlier rather than inside a surrogate pair. */
  private static int cutAt(CharSequence text, int maxChars) {
    int length = text.length();
    if (length <= maxChars) {
      return length;
    }
    int end = maxChars;
    if (Character.isHighSurrogate(text.charAt(end - 1))
        && Character.isLowSurrogate(text.charAt(end))) {
      end--;
    }
    return end;
  }

  private static boolean isClean(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' || c < 0x20 || (c >= 0x7f && needsEscape(text, i, c))) {
        return false;
      }
    }
    return true;
  }

  /** Whether the non-ASCII (or DEL) character at {@code i} must be escaped. */
  private static boolean needsEscape(CharSequence text, int i, char c) {
    if (Character.isHighSurrogate(c)) {
      if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
        return true; // a lone high surrogate
      }
      return isUnsafeType(Character.getType(Character.toCodePoint(c, text.charAt(i + 1))));
    }
    if (Character.isLowSurrogate(c)) {
      // part of a pair only when a high surrogate precedes it (that pair was judged there)
      return i == 0 || !Character.isHighSurrogate(text.charAt(i - 1));
    }
    return isUnsafeType(Character.getType(c));
  }

  private static boolean isUnsafeType(int type) {
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static void appendEscaped(StringBuilder out, CharSequence text, int end, boolean quote) {
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '"' -> out.append(quote ? "\\\"" : "\"");
        default -> {
          if (c < 0x20) {
            appendUnicode(out, c);
          } else if (c < 0x7f) {
            out.append(c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < end
              && Character.isLowSurrogate(text.charAt(i + 1))) {
            char low = text.charAt(++i);
            if (isUnsafeType(Character.getType(Character.toCodePoint(c, low)))) {
              appendUnicode(out, c);
              appendUnicode(out, low);
            } else {
              out.append(c).append(low);
            }
          } else if (Character.isSurrogate(c) || isUnsafeType(Character.getType(c))) {
            appendUnicode(out, c); // a lone surrogate, a control, format or separator character
          } else {
            out.append(c);
          }
        }
      }
    }
  }

  private static void appendUnicode(StringBuilder out, char c) {
    out.append("\\u")
        .append(HEX[(c >> 12) & 0xf])
        .append(HEX[(c >> 8) & 0xf])
        .append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }

  private static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_'
        || c == '.'
        || c == ':'
        || c == '/'
        || c == '@'
        || c == '+'
        || c == ','
        || c == '['
        || c == ']';
  }
}
