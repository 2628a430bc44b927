package dev.cluws.cli;

import dev.cluws.core.access.AccessPolicy;
import dev.cluws.jetty.SecuritySettings;
import dev.cluws.jetty.TlsSettings;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.jetty.auth.JwtAuthenticator;
import dev.cluws.jetty.reload.Reloadable;
import dev.cluws.jetty.reload.Reloader;
import java.time.Duration;
import java.util.List;

/**
 * The security the options ask for, read and checked before anything starts, and what of it can be
 * reloaded while the gateway runs.
 *
 * @param server origins, authentication and TLS, for the websocket server
 * @param accessPolicy command permissions and reply visibility, for the gateway
 * @param reloadables the files loaded again when they change or on SIGHUP (tokens, permissions, JWT
 *     keys, TLS)
 * @param tls the TLS certificate among them, put in force on the server when reloaded; or {@code
 *     null}
 * @param reloadInterval how often the files are checked for changes ({@code 0}: only SIGHUP)
 * @param remoteKeys JWT authenticators with a remote key set, fetched once the server runs
 */
record SecurityConfig(
    SecuritySettings server,
    AccessPolicy accessPolicy,
    List<Reloadable<?>> reloadables,
    Reloadable<TlsSettings> tls,
    Duration reloadInterval,
    List<JwtAuthenticator> remoteKeys) {

  SecurityConfig {
    reloadables = List.copyOf(reloadables);
    remoteKeys = List.copyOf(remoteKeys);
  }

  /** CLU's behaviour: no checks at all. */
  static SecurityConfig none() {
    return new SecurityConfig(
        SecuritySettings.none(), AccessPolicy.ALLOW_ALL, List.of(), null, Duration.ZERO, List.of());
  }

  /**
   * Starts watching the files for the running {@code server}: a reloaded certificate goes to it,
   * and the remote JWT key sets are fetched on the reload thread.
   */
  Reloader startReloading(WebsocketServer server) {
    if (tls != null) {
      tls.onReload(server::reloadTls);
    }
    Reloader reloader = new Reloader(reloadables, reloadInterval).start();
    for (JwtAuthenticator keys : remoteKeys) {
      reloader.execute(keys::prefetch);
    }
    return reloader;
  }
}
