package dev.cluws.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Providers that each break one rule of the SPI, to show that the kit notices. */
public final class BrokenProviders {
  private BrokenProviders() {}

  /** Reads its first value without checking there is one. */
  public static final class NullPointerOnBadInput implements ReplyFilterProvider {
    @Override
    public String name() {
      return "npe-on-bad-input";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      String first = context.values().isEmpty() ? null : context.values().get(0);
      int length = first.length();
      return ReplyFilter.deny(reply -> reply.body().size() > length * 1000);
    }
  }

  /** Never refuses anything. */
  public static final class AcceptsAnything implements ReplyFilterProvider {
    @Override
    public String name() {
      return "accepts-anything";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return new ReplyFilter() {};
    }
  }

  /** Refuses bad input without telling the client why. */
  public static final class SilentRefusal implements ReplyFilterProvider {
    @Override
    public String name() {
      return "silent-refusal";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      if (context.values().isEmpty()) {
        throw new IllegalArgumentException();
      }
      return new ReplyFilter() {};
    }
  }

  /** Assumes every reply has a sender. */
  public static final class ThrowsWithoutSender implements ReplyFilterProvider {
    @Override
    public String name() {
      return "throws-without-sender";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return ReplyFilter.denyUnless(reply -> reply.sender().startsWith("kit"));
    }
  }

  /** Drops replies from {@code map} instead of denying them. */
  public static final class MapReturnsNull implements ReplyFilterProvider {
    @Override
    public String name() {
      return "map-returns-null";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return new ReplyFilter() {
        @Override
        public Reply map(Reply reply) {
          return reply.body().isObject() ? reply : null;
        }
      };
    }
  }

  /** Removes a keyword from the shared body instead of building a new one. */
  public static final class MutatesBodies implements ReplyFilterProvider {
    @Override
    public String name() {
      return "mutates-bodies";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return new ReplyFilter() {
        @Override
        public Reply map(Reply reply) {
          if (reply.body() instanceof ObjectNode body) {
            body.remove("text");
          }
          return reply;
        }
      };
    }
  }

  /** Returns a copy of every reply, also of those it does not change. */
  public static final class CopiesEveryReply implements ReplyFilterProvider {
    @Override
    public String name() {
      return "copies-every-reply";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return new ReplyFilter() {
        @Override
        public Reply map(Reply reply) {
          return reply.withBody(reply.body());
        }
      };
    }
  }

  /** Denies the first reply it is asked about, and no other. */
  public static final class Flaky implements ReplyFilterProvider {
    @Override
    public String name() {
      return "flaky";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      AtomicLong calls = new AtomicLong();
      return new ReplyFilter() {
        @Override
        public Verdict verdict(Reply reply) {
          return calls.getAndIncrement() == 0 ? Verdict.DENY : Verdict.NEUTRAL;
        }
      };
    }
  }

  /** Keeps what it decides in a thread-local, so other threads see something else. */
  public static final class CreatingThreadOnly implements ReplyFilterProvider {
    @Override
    public String name() {
      return "creating-thread-only";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      ThreadLocal<Boolean> wanted = new ThreadLocal<>();
      wanted.set(true);
      return ReplyFilter.denyUnless(reply -> Boolean.TRUE.equals(wanted.get()));
    }
  }

  /** Keeps the last client's values in the provider, where every filter reads them. */
  public static final class SharedAcrossClients implements ReplyFilterProvider {
    private volatile List<String> senders = List.of();

    @Override
    public String name() {
      return "shared-across-clients";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      senders = List.copyOf(context.values());
      return ReplyFilter.denyUnless(
          reply -> reply.sender() != null && senders.contains(reply.sender()));
    }
  }

  /**
   * Keeps the replies of the actors given, and every reply whose sender is the gateway's name: the
   * pass-through every filter used to write, which lets anyone who can publish to the broker past
   * the filter.
   */
  public static final class TrustsTheGatewaysName implements ReplyFilterProvider {
    @Override
    public String name() {
      return "trusts-the-gateways-name";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      List<String> senders = List.copyOf(context.values());
      return ReplyFilter.denyUnless(
          reply ->
              context.gatewayName().equals(reply.sender())
                  || (reply.sender() != null && senders.contains(reply.sender())));
    }
  }

  /** Named like a parameter the gateway reads itself. */
  public static final class ReservedName implements ReplyFilterProvider {
    @Override
    public String name() {
      return "snapshot";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return new ReplyFilter() {};
    }
  }

  /** Named with characters a name may not have. */
  public static final class UpperCaseName implements ReplyFilterProvider {
    @Override
    public String name() {
      return "Match.Me";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return new ReplyFilter() {};
    }
  }

  /** Says it was built for a newer SPI than the one it is compiled (and tested) against. */
  public static final class WrongSpiVersion implements ReplyFilterProvider {
    @Override
    public String name() {
      return "wrong-spi-version";
    }

    @Override
    public String spiVersion() {
      return "1.99";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return new ReplyFilter() {};
    }
  }

  /** Missing from {@code META-INF/services}. */
  public static final class NotRegistered implements ReplyFilterProvider {
    @Override
    public String name() {
      return "not-registered";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return new ReplyFilter() {};
    }
  }

  /** Needs an argument to be made, so ServiceLoader cannot make it. */
  public static final class NoPublicConstructor implements ReplyFilterProvider {
    private final String name;

    public NoPublicConstructor(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return new ReplyFilter() {};
    }
  }
}
