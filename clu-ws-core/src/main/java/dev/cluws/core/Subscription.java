package dev.cluws.core;

import dev.cluws.core.spi.ClientIdentity;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one client asked for when it connected: its id and its filter chain, built from the query
 * parameters of its upgrade request by {@link Gateway#subscribe(Map, ClientIdentity)}.
 */
public final class Subscription {
  private final String clientId;
  private final ClientIdentity identity;
  private final Map<String, List<String>> parameters;
  private final FilterChain chain;
  private final String since;
  private final boolean numbered;

  Subscription(
      String clientId,
      ClientIdentity identity,
      Map<String, List<String>> parameters,
      FilterChain chain,
      String since,
      boolean numbered) {
    this.clientId = clientId;
    this.identity = identity;
    this.parameters = parameters;
    this.chain = chain;
    this.since = since;
    this.numbered = numbered;
  }

  /** The reply number or message id the client last saw ({@code since=}), or {@code null}. */
  public String since() {
    return since;
  }

  /** Whether the client's frames carry the gateway's reply number ({@code seq=true}). */
  public boolean numbered() {
    return numbered;
  }

  public String clientId() {
    return clientId;
  }

  /** Who the client is (anonymous unless the transport authenticated it). */
  public ClientIdentity identity() {
    return identity;
  }

  /** The query parameters, comma-separated values split, blanks removed, in the given order. */
  public Map<String, List<String>> parameters() {
    return parameters;
  }

  public FilterChain chain() {
    return chain;
  }

  /** Splits comma-separated values and drops blanks, keeping the parameters' order. */
  static Map<String, List<String>> normalize(Map<String, List<String>> query) {
    Map<String, List<String>> result = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> entry : query.entrySet()) {
      List<String> values = new ArrayList<>();
      for (String value : entry.getValue()) {
        if (value == null) {
          continue;
        }
        for (String part : value.split(",", -1)) {
          String trimmed = part.trim();
          if (!trimmed.isEmpty()) {
            values.add(trimmed);
          }
        }
      }
      result.put(entry.getKey(), Collections.unmodifiableList(values));
    }
    return Collections.unmodifiableMap(result);
  }
}
