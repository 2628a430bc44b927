package dev.cluws.core.reply;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;
import dev.cluws.core.spi.Glob;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current state of the actor system as the gateway has seen it: the latest value of every
 * keyword of every actor, taken from the bodies of the replies that pass through the hub. Clients
 * ask for it as a snapshot (one body per actor) so that a page shows the state at once instead of
 * waiting for the next status broadcast.
 *
 * <p>Bounded three ways, with every eviction counted: at most {@code maxActors} actors (the actor
 * updated least recently goes first), {@code maxKeywords} keywords per actor (the keyword first
 * seen goes first) and {@code maxBytes} of keyword values in all, estimated from the values' JSON
 * size (the actors updated least recently go first).
 *
 * <p>Not thread-safe: the hub updates and reads it under its own lock, so that a snapshot and the
 * live stream never overlap (see {@link Hub}).
 */
final class StateStore {
  /** What an entry costs beyond its key and value, roughly (map node, references). */
  private static final int ENTRY_OVERHEAD = 48;

  private static final Logger log = LoggerFactory.getLogger(StateStore.class);
  private static final JsonMapper MAPPER = JsonMappers.newMapper();
  private static final JsonFactory JSON = MAPPER.getFactory();

  private final int maxActors;
  private final int maxKeywords;
  private final long maxBytes;
  private final String gatewayName;

  /**
   * Access order: {@link #update} touches an actor, so the eldest is the least recently updated.
   */
  private final LinkedHashMap<String, ActorState> actors = new LinkedHashMap<>(64, 0.75f, true);

  private long bytes;

  /**
   * Copies of the size, written at the end of each update, read without the hub's lock (metrics).
   */
  private volatile long publishedBytes;

  private volatile int actorCount;
  final LongAdder actorsEvicted = new LongAdder();
  final LongAdder keywordsEvicted = new LongAdder();

  StateStore(int maxActors, int maxKeywords, long maxBytes, String gatewayName) {
    this.maxActors = maxActors;
    this.maxKeywords = maxKeywords;
    this.maxBytes = maxBytes;
    this.gatewayName = gatewayName;
  }

  /** A store that keeps nothing (state turned off). */
  boolean enabled() {
    return maxActors > 0;
  }

  /**
   * Takes the keywords of a reply: every field of an object body, under the reply's sender. Frames
   * the gateway originates (its own sender, snapshots) and replies without a sender or with a body
   * that is not an object are ignored. {@code receivedAt} is asked only for a reply without a
   * timestamp.
   */
  void update(Reply reply, Supplier<Instant> receivedAt) {
    update(reply, receivedAt, 0);
  }

  /**
   * {@link #update(Reply, Supplier)} for the hub's reply number {@code seq}: each keyword remembers
   * the number of the reply that set it (see {@link #repair}).
   */
  void update(Reply reply, Supplier<Instant> receivedAt, long seq) {
    if (!enabled()) {
      return;
    }
    String actor = reply.sender();
    if (actor == null || actor.equals(gatewayName) || reply.snapshot()) {
      return;
    }
    Optional<ByteBuffer> json = reply.bodyJson();
    ActorState state;
    if (json.isPresent()) {
      state = takeKeywords(actor, json.get(), seq);
    } else {
      JsonNode body = reply.body();
      if (!body.isObject() || body.isEmpty()) {
        return;
      }
      state = stateOf(actor);
      Iterator<Map.Entry<String, JsonNode>> fields = body.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        put(state, field.getKey(), field.getValue(), estimateSize(field.getValue()), seq);
      }
    }
    if (state == null) {
      return;
    }
    Instant timestamp = reply.timestamp() != null ? reply.timestamp() : receivedAt.get();
    if (state.newest == null || timestamp.isAfter(state.newest)) {
      state.newest = timestamp;
    }
    trimKeywords(state);
    trimActors();
  }

  private void trimKeywords(ActorState state) {
    while (state.keywords.size() > maxKeywords) {
      Iterator<Value> oldest = state.keywords.values().iterator();
      bytes -= oldest.next().size;
      oldest.remove();
      keywordsEvicted.increment();
    }
  }

  private void trimActors() {
    while (actors.size() > maxActors || (bytes > maxBytes && actors.size() > 1)) {
      evictEldest();
    }
    if (bytes > maxBytes) {
      // One actor larger than the whole budget: keep none of it rather than break the bound.
      evictEldest();
    }
    actorCount = actors.size();
    publishedBytes = bytes;
  }

  /**
   * Repairs this store with a state read from a history after the source lost replies: each keyword
   * of {@code repaired} replaces this store's value unless a reply numbered above {@code keepAfter}
   * (received after the loss, so at least as new as anything the history read) set it. Returns how
   * many keywords changed or were added. The bounds apply as usual.
   */
  int repair(StateStore repaired, long keepAfter) {
    if (!enabled()) {
      return 0;
    }
    int changed = 0;
    for (Map.Entry<String, ActorState> entry : repaired.actors.entrySet()) {
      ActorState from = entry.getValue();
      ActorState state = stateOf(entry.getKey());
      for (Map.Entry<String, Value> keyword : from.keywords.entrySet()) {
        Value live = state.keywords.get(keyword.getKey());
        if (live != null && live.seq() > keepAfter) {
          continue;
        }
        // Kept as read (number 0, as every value taken from a history): a later repair replaces it.
        Value value = keyword.getValue();
        if (live == null || !live.sameAs(value)) {
          changed++;
        }
        keep(state, keyword.getKey(), value);
      }
      if (from.newest != null && (state.newest == null || from.newest.isAfter(state.newest))) {
        state.newest = from.newest;
      }
      trimKeywords(state);
    }
    trimActors();
    return changed;
  }

  /** An empty store with the same bounds (to rebuild the state from a history into). */
  StateStore emptyLike() {
    return new StateStore(maxActors, maxKeywords, maxBytes, gatewayName);
  }

  /**
   * Puts an older state under this one: every keyword of {@code older} that this store does not
   * hold is added, and what this store holds wins (it is newer: the live replies taken while the
   * older state was being rebuilt). The actors only {@code older} knows count as updated before
   * every actor of this store. The bounds apply as usual.
   */
  void underlay(StateStore older) {
    if (!enabled()) {
      return;
    }
    LinkedHashMap<String, ActorState> merged = new LinkedHashMap<>(64, 0.75f, true);
    for (Map.Entry<String, ActorState> entry : older.actors.entrySet()) {
      ActorState copy = new ActorState();
      copy.keywords.putAll(entry.getValue().keywords);
      copy.newest = entry.getValue().newest;
      merged.put(entry.getKey(), copy);
    }
    for (Map.Entry<String, ActorState> entry : actors.entrySet()) {
      ActorState mine = entry.getValue();
      ActorState under = merged.remove(entry.getKey());
      if (under != null) {
        under.keywords.putAll(mine.keywords); // the live values win; first-seen order kept
        if (under.newest == null || (mine.newest != null && mine.newest.isAfter(under.newest))) {
          under.newest = mine.newest;
        }
        mine = under;
      }
      merged.put(entry.getKey(), mine);
    }
    actors.clear();
    actors.putAll(merged);
    bytes = 0;
    for (ActorState state : actors.values()) {
      for (Value value : state.keywords.values()) {
        bytes += value.size;
      }
      trimKeywords(state);
    }
    trimActors();
  }

  private ActorState stateOf(String actor) {
    ActorState state = actors.get(actor);
    if (state == null) {
      state = new ActorState();
      actors.put(actor, state);
    }
    return state;
  }

  private void put(ActorState state, String keyword, Object value, long valueSize, long seq) {
    keep(state, keyword, new Value(value, ENTRY_OVERHEAD + 2L * keyword.length() + valueSize, seq));
  }

  /** Keeps a keyword's value, counting its size in place of the one it replaces. */
  private void keep(ActorState state, String keyword, Value value) {
    Value previous = state.keywords.put(keyword, value);
    if (previous != null) {
      bytes -= previous.size;
    }
    bytes += value.size;
  }

  /**
   * Takes the top-level fields of a body kept as JSON text (checked by the source) without parsing
   * it into a tree: each value is kept as its own JSON text, parsed only for a snapshot. Returns
   * the actor's state, or {@code null} when the body is not an object with fields.
   */
  private @Nullable ActorState takeKeywords(String actor, ByteBuffer json, long seq) {
    int base = json.position();
    try (JsonParser parser = JSON.createParser(new ByteBufferBackedInputStream(json.duplicate()))) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      ActorState state = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String keyword = parser.currentName();
        JsonToken token = parser.nextToken();
        long start = parser.currentTokenLocation().getByteOffset();
        parser.skipChildren();
        parser.finishToken(); // a string is read lazily: the location must be after it
        long end = parser.currentLocation().getByteOffset();
        if (token == null || start < 0 || end <= start) {
          return state;
        }
        byte[] value = new byte[(int) (end - start)];
        json.get(base + (int) start, value);
        if (state == null) {
          state = stateOf(actor);
        }
        put(state, keyword, value, 16 + 2L * value.length, seq);
      }
      return state;
    } catch (IOException e) {
      // The source checked the body: not expected. Keep what was taken.
      log.debug("could not take the keywords of a reply of {}", actor, e);
      return actors.get(actor);
    }
  }

  private void evictEldest() {
    Iterator<ActorState> eldest = actors.values().iterator();
    ActorState state = eldest.next();
    for (Value value : state.keywords.values()) {
      bytes -= value.size;
    }
    keywordsEvicted.add(state.keywords.size());
    actorsEvicted.increment();
    eldest.remove();
  }

  /**
   * One snapshot body per actor whose name matches one of the patterns (all actors when {@code
   * patterns} is empty), sorted by actor name.
   */
  List<ActorSnapshot> snapshot(List<Glob> patterns) {
    List<ActorSnapshot> result = new ArrayList<>();
    for (Map.Entry<String, ActorState> entry : actors.entrySet()) {
      String actor = entry.getKey();
      if (!patterns.isEmpty() && patterns.stream().noneMatch(p -> p.matches(actor))) {
        continue;
      }
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, Value> keyword : entry.getValue().keywords.entrySet()) {
        body.set(keyword.getKey(), keyword.getValue().node());
      }
      result.add(new ActorSnapshot(actor, body, entry.getValue().newest));
    }
    result.sort((a, b) -> a.actor().compareTo(b.actor()));
    return result;
  }

  int actorCount() {
    return actorCount;
  }

  long bytes() {
    return publishedBytes;
  }

  /**
   * A cheap estimate of a value's size as JSON text, in bytes (strings count two bytes a character,
   * as Java keeps most of them).
   */
  static long estimateSize(JsonNode node) {
    if (node.isTextual()) {
      return 16 + 2L * node.textValue().length();
    }
    if (node.isContainerNode()) {
      long size = 16;
      if (node.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          size += 2L * field.getKey().length() + estimateSize(field.getValue());
        }
      } else {
        for (JsonNode element : node) {
          size += estimateSize(element);
        }
      }
      return size;
    }
    return 16;
  }

  /** One actor's keywords, in the order they were first seen. */
  private static final class ActorState {
    final LinkedHashMap<String, Value> keywords = new LinkedHashMap<>();
    Instant newest;
  }

  /**
   * A keyword's value: a tree, or JSON text (from a body kept as text) parsed when asked; the
   * number of the reply that set it (0 when it came from a history).
   */
  private record Value(Object value, long size, long seq) {
    boolean sameAs(Value other) {
      if (value instanceof byte[] mine && other.value instanceof byte[] theirs) {
        return Arrays.equals(mine, theirs);
      }
      return node().equals(other.node());
    }

    JsonNode node() {
      if (value instanceof JsonNode node) {
        return node;
      }
      try {
        return MAPPER.readTree((byte[]) value);
      } catch (IOException e) {
        throw new UncheckedIOException("a kept keyword value is not JSON", e);
      }
    }
  }

  /** The state of one actor: the latest value of each keyword, and when the newest arrived. */
  record ActorSnapshot(String actor, ObjectNode body, Instant newest) {}
}
