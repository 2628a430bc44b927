/**
 * The websocket server: Jetty 12 (core, no servlets) with the Jetty-native WebSocket API, serving a
 * {@link dev.cluws.core.Gateway} wire-compatibly with CLU's {@code clu websocket}. The public
 * surface is {@link dev.cluws.jetty.WebsocketServer} and {@link dev.cluws.jetty.ServerSettings};
 * everything in {@code dev.cluws.jetty.internal} is implementation detail.
 */
package dev.cluws.jetty;
