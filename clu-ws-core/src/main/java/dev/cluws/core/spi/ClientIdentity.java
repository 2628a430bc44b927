package dev.cluws.core.spi;

import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who is on the other end of a websocket, as established when it connected.
 *
 * @param subject the authenticated subject (a user or service name), or {@code null} when the
 *     client did not authenticate
 * @param roles the subject's roles (empty for an anonymous client)
 * @param remoteAddress the client's address, for logs
 */
public record ClientIdentity(@Nullable String subject, Set<String> roles, String remoteAddress) {
  public ClientIdentity {
    roles = Set.copyOf(roles);
    Objects.requireNonNull(remoteAddress, "remoteAddress");
  }

  /** A client that did not authenticate. */
  public static ClientIdentity anonymous(String remoteAddress) {
    return new ClientIdentity(null, Set.of(), remoteAddress);
  }

  public boolean authenticated() {
    return subject != null;
  }

  /** The subject, or the remote address for an anonymous client (for audit lines). */
  public String describe() {
    return subject != null ? subject : remoteAddress;
  }
}
