/**
 * Who a websocket client is, settled at the upgrade: {@link dev.cluws.jetty.auth.Authenticator}s
 * for bearer tokens ({@link dev.cluws.jetty.auth.StaticTokenAuthenticator}, {@link
 * dev.cluws.jetty.auth.JwtAuthenticator} with nimbus-jose-jwt) and the origin allow-list {@link
 * dev.cluws.jetty.auth.AllowedOrigins}. Configured through {@link
 * dev.cluws.jetty.SecuritySettings}.
 */
package dev.cluws.jetty.auth;
