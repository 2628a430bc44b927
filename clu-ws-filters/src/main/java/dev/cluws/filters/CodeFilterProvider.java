package dev.cluws.filters;

import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code codes} filter: a client that connects with {@code ?codes=:f} receives only the replies
 * whose {@code message_code} is one of the given CLU codes ({@code > : f e w i ! d}). The values
 * are read as one string of code characters, so {@code codes=:f}, {@code codes=:,f} and {@code
 * codes=:&codes=f} are the same. Replies with another code, or without a valid code, are denied;
 * the others get no opinion. Snapshot frames always pass. See the {@linkplain dev.cluws.filters
 * package documentation}.
 */
public final class CodeFilterProvider implements ReplyFilterProvider {
  /** The provider's name, and so the query parameter that selects it. */
  public static final String NAME = "codes";

  private static final String ALL_CODES = "> : f e w i ! d";

  /** Found by {@link java.util.ServiceLoader}; does nothing. */
  public CodeFilterProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  /**
   * Creates the filter for the client's codes.
   *
   * @throws IllegalArgumentException when no code is given, a character is not a CLU message code,
   *     or an option is given
   */
  @Override
  public ReplyFilter create(FilterContext context) {
    Parameters.noOptions(NAME, context, "codes=:f");
    String joined = String.join("", context.values());
    if (joined.isEmpty()) {
      throw new IllegalArgumentException(
          "give at least one message code, e.g. codes=:f for completions and failures (codes: "
              + ALL_CODES
              + ")");
    }
    Set<MessageCode> codes = EnumSet.noneOf(MessageCode.class);
    for (int i = 0; i < joined.length(); i++) {
      Optional<MessageCode> code = MessageCode.of(joined.charAt(i));
      if (code.isEmpty()) {
        throw new IllegalArgumentException(
            String.format(
                "'%s' is not a CLU message code; use any of %s (e.g. codes=:f)",
                Parameters.characterAt(joined, i), ALL_CODES));
      }
      codes.add(code.get());
    }
    return new CodeFilter(codes);
  }

  /** Denies replies whose code is not wanted. */
  private static final class CodeFilter implements ReplyFilter {
    private final boolean[] wanted = new boolean[MessageCode.values().length];
    private final String shown;

    CodeFilter(Set<MessageCode> codes) {
      for (MessageCode code : codes) {
        wanted[code.ordinal()] = true;
      }
      this.shown = codes.stream().map(MessageCode::text).collect(Collectors.joining());
    }

    @Override
    public Verdict verdict(Reply reply) {
      if (reply.snapshot()) {
        return Verdict.NEUTRAL;
      }
      Optional<MessageCode> code = reply.messageCode();
      return code.isPresent() && wanted[code.get().ordinal()] ? Verdict.NEUTRAL : Verdict.DENY;
    }

    @Override
    public String toString() {
      return "codes " + shown;
    }
  }
}
