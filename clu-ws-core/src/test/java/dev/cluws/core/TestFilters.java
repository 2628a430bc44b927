package dev.cluws.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Glob;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Small filter providers for core tests (the real ones live in clu-ws-filters, which depends on the
 * core): {@code actors}, {@code keywords}, {@code own}, {@code everything} (accepts all), {@code
 * throwing}, {@code broken} (its provider fails), {@code probe} (records its context) and {@code
 * blocking} (accepts all; once armed, its next call waits for {@link #unblock}).
 */
final class TestFilters {
  /** Every context the {@code probe} provider was given, in order. */
  final List<FilterContext> probed = new CopyOnWriteArrayList<>();

  /** Counted down when an armed {@code blocking} filter is entered. */
  final CountDownLatch blockEntered = new CountDownLatch(1);

  /** What an armed {@code blocking} filter waits for (30 s at most). */
  final CountDownLatch unblock = new CountDownLatch(1);

  /** Whether the next call of a {@code blocking} filter blocks (once). */
  final AtomicBoolean blockArmed = new AtomicBoolean();

  /** The threads that ran a {@code blocking} filter while it was blocked. */
  final List<Thread> blockedThreads = new CopyOnWriteArrayList<>();

  /** Query parameters as the websocket server passes them: {@code "a=1&b=2,3&a=4"}. */
  static Map<String, List<String>> query(String text) {
    Map<String, List<String>> result = new LinkedHashMap<>();
    if (text.isEmpty()) {
      return result;
    }
    for (String pair : text.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      result.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return result;
  }

  /** The catalog of all the providers. */
  ProviderCatalog<ReplyFilterProvider> catalog() {
    return ProviderCatalog.of(
        ReplyFilterProvider.class,
        ReplyFilterProvider::name,
        List.of(
            TestReplies.provider("actors", TestFilters::actors),
            TestReplies.provider("keywords", TestFilters::keywords),
            TestReplies.provider("own", TestFilters::own),
            TestReplies.provider("everything", c -> ReplyFilter.accept(r -> true)),
            TestReplies.provider(
                "throwing",
                c ->
                    ReplyFilter.deny(
                        r -> {
                          throw new IllegalStateException("filter bug");
                        })),
            TestReplies.provider(
                "broken",
                c -> {
                  throw new IllegalStateException("provider bug");
                }),
            TestReplies.provider("blocking", c -> ReplyFilter.accept(this::blockOnceArmed)),
            TestReplies.provider(
                "probe",
                c -> {
                  probed.add(c);
                  return ReplyFilter.denyUnless(r -> true);
                })));
  }

  private boolean blockOnceArmed(Reply reply) {
    if (blockArmed.compareAndSet(true, false)) {
      blockedThreads.add(Thread.currentThread());
      blockEntered.countDown();
      try {
        if (!unblock.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the blocking filter was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return true;
  }

  /** Replies of the actors matching the values ({@code *} wildcards). */
  static ReplyFilter actors(FilterContext context) {
    if (context.values().isEmpty()) {
      throw new IllegalArgumentException("give at least one actor");
    }
    List<Glob> patterns = new ArrayList<>();
    context.values().forEach(v -> patterns.add(new Glob(v)));
    return ReplyFilter.denyUnless(r -> patterns.stream().anyMatch(p -> p.matches(r.sender())));
  }

  /** Replies with one of the keywords, trimmed to them. */
  static ReplyFilter keywords(FilterContext context) {
    if (context.values().isEmpty()) {
      throw new IllegalArgumentException("give at least one keyword");
    }
    List<String> wanted = context.values();
    return new ReplyFilter() {
      @Override
      public Verdict verdict(Reply reply) {
        return wanted.stream().anyMatch(reply.body()::has) ? Verdict.NEUTRAL : Verdict.DENY;
      }

      @Override
      public Reply map(Reply reply) {
        if (!reply.body().isObject()) {
          return reply;
        }
        Map<String, JsonNode> kept = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : reply.body().properties()) {
          if (wanted.contains(field.getKey())) {
            kept.put(field.getKey(), field.getValue());
          }
        }
        if (kept.size() == reply.body().size()) {
          return reply;
        }
        return reply.withBody(new ObjectNode(JsonNodeFactory.instance, kept));
      }
    };
  }

  /** Replies to the client's own commands, and snapshots. */
  static ReplyFilter own(FilterContext context) {
    return ReplyFilter.denyUnless(r -> r.snapshot() || context.isOwnReply(r));
  }
}
