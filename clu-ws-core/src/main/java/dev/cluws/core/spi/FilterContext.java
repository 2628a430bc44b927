package dev.cluws.core.spi;

import java.util.List;

/** What a {@link ReplyFilterProvider} learns about the client it creates a filter for. */
public interface FilterContext {
  /** An id unique among the gateway's connected clients. */
  String clientId();

  /**
   * The values the client gave for this provider's parameter, in order, with comma-separated lists
   * already split and blanks removed (e.g. {@code ?actors=a,b&actors=c} gives {@code [a, b, c]}).
   */
  List<String> values();

  /** The gateway's own name: frames with this {@code sender} come from the gateway itself. */
  String gatewayName();

  /** Who the client is (anonymous unless the server authenticated it). */
  default ClientIdentity identity() {
    return ClientIdentity.anonymous("unknown");
  }
}
