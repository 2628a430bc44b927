package dev.cluws.core.spi;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The message codes of CLU replies. A command is finished by its first reply with {@link #DONE} or
 * {@link #FAILED}.
 */
public enum MessageCode {
  /** {@code >}: the command is running. */
  RUNNING('>'),
  /** {@code :}: the command finished successfully. */
  DONE(':'),
  /** {@code f}: the command failed. */
  FAILED('f'),
  /** {@code e}: an error. */
  ERROR('e'),
  /** {@code !}: a critical error. */
  CRITICAL('!'),
  /** {@code i}: information. */
  INFO('i'),
  /** {@code w}: a warning. */
  WARNING('w'),
  /** {@code d}: debug output. */
  DEBUG('d');

  /** Every code, wrapped once: looking a code up allocates nothing (it runs for every reply). */
  @SuppressWarnings("ImmutableEnumChecker") // Optional of an enum constant is immutable
  private static final List<Optional<MessageCode>> ALL =
      Arrays.stream(values()).map(Optional::of).toList();

  private final char symbol;
  private final String text;

  MessageCode(char symbol) {
    this.symbol = symbol;
    this.text = String.valueOf(symbol);
  }

  /** The single character CLU puts in the {@code message_code} header. */
  public char symbol() {
    return symbol;
  }

  /** The header value, a one-character string. */
  public String text() {
    return text;
  }

  /** Whether a reply with this code ends its command ({@code :} or {@code f}). */
  public boolean isFinal() {
    return this == DONE || this == FAILED;
  }

  /** The code for a header value, or empty for anything that is not one of CLU's codes. */
  public static Optional<MessageCode> of(@Nullable String value) {
    if (value == null || value.length() != 1) {
      return Optional.empty();
    }
    return of(value.charAt(0));
  }

  /** The code for a character, or empty. */
  public static Optional<MessageCode> of(char symbol) {
    for (Optional<MessageCode> code : ALL) {
      if (code.get().symbol == symbol) {
        return code;
      }
    }
    return Optional.empty();
  }
}
