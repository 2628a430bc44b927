package dev.cluws.jetty.internal;

import java.net.HttpCookie;
import java.net.URI;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;
import org.eclipse.jetty.websocket.api.ExtensionConfig;
import org.eclipse.jetty.websocket.api.UpgradeRequest;
import org.eclipse.jetty.websocket.api.UpgradeResponse;
import org.eclipse.jetty.websocket.common.JettyExtensionConfig;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;

/**
 * What a websocket session keeps of its HTTP upgrade: the request line, the websocket version, the
 * subprotocols and extensions, and nothing that holds the HTTP exchange.
 *
 * <p>Jetty's own copies ({@code CompletedUpgradeRequest}/{@code Response}) keep the request's and
 * the response's header objects, and through them the whole HTTP/1.1 connection the websocket
 * replaced (its parser, channel state, request and response): about 4 KB for every open websocket,
 * for as long as it stays open. {@link GatewayCreator} reads everything the gateway needs (query,
 * origin, token, remote address) during the upgrade, so the session keeps only these small values.
 * Headers, cookies and the authenticated principal are not kept: asking a session for them fails
 * with {@link UnsupportedOperationException} instead of answering with nothing.
 */
final class DetachedUpgrade {
  private static final String NOT_KEPT =
      "the gateway does not keep the upgrade's headers once the websocket is open;"
          + " read them in GatewayCreator";

  private DetachedUpgrade() {}

  /** The session's view of its upgrade request. */
  static UpgradeRequest request(ServerUpgradeRequest request) {
    HttpURI uri = request.getHttpURI();
    return new Request(
        uri.asString(),
        request.getMethod(),
        request.getConnectionMetaData().getHttpVersion().asString(),
        request.getProtocolVersion(),
        List.copyOf(request.getSubProtocols()),
        extensions(request.getExtensions()),
        request.isSecure());
  }

  /**
   * The session's view of the response that accepted the upgrade: 101 (a session exists only for an
   * upgrade that succeeded; Jetty sets the status after the session's handler is made).
   */
  static UpgradeResponse response(ServerUpgradeResponse response) {
    return new Response(
        HttpStatus.SWITCHING_PROTOCOLS_101,
        response.getAcceptedSubProtocol(),
        extensions(response.getExtensions()));
  }

  private static List<ExtensionConfig> extensions(
      List<org.eclipse.jetty.websocket.core.ExtensionConfig> configs) {
    if (configs.isEmpty()) {
      return List.of();
    }
    return configs.stream().<ExtensionConfig>map(JettyExtensionConfig::new).toList();
  }

  private record Request(
      String uri,
      String method,
      String httpVersion,
      String protocolVersion,
      List<String> subProtocols,
      List<ExtensionConfig> extensions,
      boolean secure)
      implements UpgradeRequest {

    @Override
    public URI getRequestURI() {
      return URI.create(uri);
    }

    @Override
    public String getHost() {
      return getRequestURI().getHost();
    }

    @Override
    public String getQueryString() {
      return getRequestURI().getRawQuery();
    }

    @Override
    public Map<String, List<String>> getParameterMap() {
      String query = getQueryString();
      if (query == null || query.isEmpty()) {
        return Map.of();
      }
      Fields fields = new Fields();
      UrlEncoded.decodeUtf8To(query, fields);
      Map<String, List<String>> parameters = new LinkedHashMap<>();
      for (Fields.Field field : fields) {
        parameters.put(field.getName(), List.copyOf(field.getValues()));
      }
      return java.util.Collections.unmodifiableMap(parameters);
    }

    @Override
    public String getMethod() {
      return method;
    }

    @Override
    public String getHttpVersion() {
      return httpVersion;
    }

    @Override
    public String getProtocolVersion() {
      return protocolVersion;
    }

    @Override
    public List<String> getSubProtocols() {
      return subProtocols;
    }

    @Override
    public boolean hasSubProtocol(String test) {
      return subProtocols.stream().anyMatch(p -> p.equalsIgnoreCase(test));
    }

    @Override
    public List<ExtensionConfig> getExtensions() {
      return extensions;
    }

    @Override
    public boolean isSecure() {
      return secure;
    }

    @Override
    public List<HttpCookie> getCookies() {
      throw new UnsupportedOperationException(NOT_KEPT);
    }

    @Override
    public String getHeader(String name) {
      throw new UnsupportedOperationException(NOT_KEPT);
    }

    @Override
    public int getHeaderInt(String name) {
      throw new UnsupportedOperationException(NOT_KEPT);
    }

    @Override
    public Map<String, List<String>> getHeaders() {
      throw new UnsupportedOperationException(NOT_KEPT);
    }

    @Override
    public List<String> getHeaders(String name) {
      throw new UnsupportedOperationException(NOT_KEPT);
    }

    @Override
    public String getOrigin() {
      throw new UnsupportedOperationException(NOT_KEPT);
    }

    @Override
    public Principal getUserPrincipal() {
      throw new UnsupportedOperationException(NOT_KEPT);
    }
  }

  private record Response(int status, String acceptedSubProtocol, List<ExtensionConfig> extensions)
      implements UpgradeResponse {

    @Override
    public String getAcceptedSubProtocol() {
      return acceptedSubProtocol;
    }

    @Override
    public List<ExtensionConfig> getExtensions() {
      return extensions;
    }

    @Override
    public int getStatusCode() {
      return status;
    }

    @Override
    public String getHeader(String name) {
      throw new UnsupportedOperationException(NOT_KEPT);
    }

    @Override
    public Set<String> getHeaderNames() {
      throw new UnsupportedOperationException(NOT_KEPT);
    }

    @Override
    public Map<String, List<String>> getHeaders() {
      throw new UnsupportedOperationException(NOT_KEPT);
    }

    @Override
    public List<String> getHeaders(String name) {
      throw new UnsupportedOperationException(NOT_KEPT);
    }
  }
}
