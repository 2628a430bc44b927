package dev.cluws.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.amqp.AmqpSettings;
import dev.cluws.core.Gateway;
import dev.cluws.jetty.auth.AllowedOrigins;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When the server is open to anyone (a non-loopback address, no authentication, no origin list), it
 * logs one prominent warning at start. The decision is checked here without binding anything.
 */
class ExposureWarningTest {

  private static boolean exposed(String host, SecuritySettings security) {
    Gateway gateway =
        Gateway.builder().name("exposure-test").settings(AmqpSettings.defaults()).build();
    WebsocketServer server =
        new WebsocketServer(
            gateway, ServerSettings.defaults().withHost(host).withPort(0), security);
    try {
      return server.exposed();
    } finally {
      server.close();
    }
  }

  @Test
  void allInterfacesWithoutAuthenticationOrOriginsIsExposed() {
    assertThat(exposed(null, SecuritySettings.none())).isTrue();
    assertThat(exposed("0.0.0.0", SecuritySettings.none())).isTrue();
    assertThat(exposed("::", SecuritySettings.none())).isTrue();
  }

  @Test
  void loopbackIsNotExposed() {
    assertThat(exposed("127.0.0.1", SecuritySettings.none())).isFalse();
    assertThat(exposed("localhost", SecuritySettings.none())).isFalse();
    assertThat(exposed("::1", SecuritySettings.none())).isFalse();
  }

  @Test
  void anOriginListOrAuthenticationIsEnoughNotToWarn() {
    SecuritySettings origins =
        SecuritySettings.none()
            .withAllowedOrigins(AllowedOrigins.of(List.of("https://ops.example")));
    SecuritySettings tokens = SecuritySettings.none().withAuthenticator((token, remote) -> null);

    assertThat(exposed("0.0.0.0", origins)).isFalse();
    assertThat(exposed("0.0.0.0", tokens)).isFalse();
  }
}
