package dev.cluws.core.reply;

import dev.cluws.core.Gateway;
import dev.cluws.core.client.Admission;
import dev.cluws.core.command.CommandTracker;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.FilterParameters;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one client asked for: its filters (by name, with their values and options) and the filter
 * chain built from them, and the gateway's own connect-time parameters ({@code since}, {@code seq},
 * {@code snapshot}, {@code acks}). Built from the query parameters of the client's upgrade request
 * by {@link Gateway#subscribe(Map, ClientIdentity)}; a {@code subscribe} or {@code unsubscribe}
 * control frame replaces it with a new one for the same client. Immutable, except for the client's
 * command bookkeeping, which every subscription of one client shares.
 */
public final class Subscription {
  private final String clientId;
  private final ClientIdentity identity;
  private final Map<String, List<String>> parameters;
  private final Map<String, FilterRequest> filters;
  private final List<String> unknownParameters;
  private final FilterChain chain;
  private final String since;
  private final boolean numbered;
  private final boolean snapshot;
  private final boolean acks;
  private final boolean ownRepliesAlways;
  private final CommandTracker commands;
  private final Admission.Permit permit;

  public Subscription(
      String clientId,
      ClientIdentity identity,
      Map<String, List<String>> parameters,
      Map<String, FilterRequest> filters,
      List<String> unknownParameters,
      FilterChain chain,
      Options options,
      CommandTracker commands,
      Admission.Permit permit) {
    this.clientId = clientId;
    this.identity = identity;
    this.parameters = parameters;
    // Most clients ask for no filter: no map of their own then (memory per idle connection).
    this.filters =
        filters.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(filters));
    this.unknownParameters = List.copyOf(unknownParameters);
    this.chain = chain;
    this.since = options.since();
    this.numbered = options.numbered();
    this.snapshot = options.snapshot();
    this.acks = options.acks();
    this.ownRepliesAlways = options.ownRepliesAlways();
    this.commands = commands;
    this.permit = permit;
  }

  /** The gateway's own connect-time parameters. */
  public record Options(
      String since, boolean numbered, boolean snapshot, boolean acks, boolean ownRepliesAlways) {}

  /** The same client and options with other filters (a control frame changed them). */
  public Subscription withFilters(Map<String, FilterRequest> newFilters, FilterChain newChain) {
    return new Subscription(
        clientId,
        identity,
        parameters,
        newFilters,
        List.of(),
        newChain,
        new Options(since, numbered, snapshot, acks, ownRepliesAlways),
        commands,
        permit);
  }

  /** The reply number or message id the client last saw ({@code since=}), or {@code null}. */
  public String since() {
    return since;
  }

  /** Whether the client's frames carry the gateway's reply number ({@code seq=true}). */
  public boolean numbered() {
    return numbered;
  }

  /** Whether the client asked for the current-state snapshot at connect ({@code snapshot=true}). */
  public boolean snapshot() {
    return snapshot;
  }

  /** Whether the client wants an acknowledgement of every command ({@code acks=true}). */
  public boolean acks() {
    return acks;
  }

  /**
   * Whether replies to the client's own commands reach it whatever its filters say ({@code
   * own_replies=always}; its role's visibility still applies).
   */
  public boolean ownRepliesAlways() {
    return ownRepliesAlways;
  }

  /** The same subscription with {@code own_replies} set (a {@code subscribe} frame changed it). */
  public Subscription withOwnReplies(boolean always) {
    return always == ownRepliesAlways
        ? this
        : new Subscription(
            clientId,
            identity,
            parameters,
            filters,
            List.of(),
            chain,
            new Options(since, numbered, snapshot, acks, always),
            commands,
            permit);
  }

  /**
   * The client's place under the gateway's connection limit, taken when the subscription was made;
   * {@code null} for a subscription made without one.
   */
  public Admission.Permit permit() {
    return permit;
  }

  /**
   * Gives back the client's place under the connection limit when its websocket never connects (the
   * upgrade failed or the connection was lost first). Idempotent; harmless after the client
   * connected and left.
   */
  public void abandon() {
    if (permit != null) {
      permit.release();
    }
  }

  public String clientId() {
    return clientId;
  }

  /** Who the client is (anonymous unless the transport authenticated it). */
  public ClientIdentity identity() {
    return identity;
  }

  /**
   * The query parameters of the upgrade request, comma-separated values split, blanks removed, in
   * the given order.
   */
  public Map<String, List<String>> parameters() {
    return parameters;
  }

  /** The filters in effect, by provider name, in chain order (after the access policy's). */
  public Map<String, FilterRequest> filters() {
    return filters;
  }

  /**
   * The filters in effect as parameters: {@code name → values} and {@code name.option → values},
   * the form a client uses to ask for them.
   */
  public Map<String, List<String>> describeFilters() {
    Map<String, List<String>> result = new LinkedHashMap<>();
    for (FilterRequest filter : filters.values()) {
      filter.appendParameters(result);
    }
    return result;
  }

  /** Parameters that named no filter and no gateway parameter (ignored; the client is told). */
  public List<String> unknownParameters() {
    return unknownParameters;
  }

  public FilterChain chain() {
    return chain;
  }

  public CommandTracker commands() {
    return commands;
  }

  /** Splits comma-separated values and drops blanks, keeping the parameters' order. */
  public static Map<String, List<String>> normalize(Map<String, List<String>> query) {
    if (query.isEmpty()) {
      return Map.of();
    }
    Map<String, List<String>> result = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> entry : query.entrySet()) {
      result.put(entry.getKey(), FilterParameters.values(entry.getValue()));
    }
    return Collections.unmodifiableMap(result);
  }
}
