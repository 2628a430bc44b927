package dev.cluws.cli;

import dev.cluws.core.access.AccessPolicy;
import dev.cluws.jetty.SecuritySettings;

/**
 * The security the options ask for, read and checked before anything starts.
 *
 * @param server origins, authentication and TLS, for the websocket server
 * @param accessPolicy command permissions and reply visibility, for the gateway
 */
record SecurityConfig(SecuritySettings server, AccessPolicy accessPolicy) {
  /** CLU's behaviour: no checks at all. */
  static SecurityConfig none() {
    return new SecurityConfig(SecuritySettings.none(), AccessPolicy.ALLOW_ALL);
  }
}
