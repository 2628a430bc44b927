/**
 * Implementation of the websocket server: the upgrade decision ({@link
 * dev.cluws.jetty.internal.GatewayCreator}), the per-client endpoint and transport, the registry of
 * open websockets, the keep-alive pings and the answer to plain HTTP requests. Not API: classes are
 * public only where Jetty or {@code dev.cluws.jetty} needs them to be.
 */
package dev.cluws.jetty.internal;
