package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code --jwt-jwks https://…}: the gateway takes its JWT keys from a key server (here a real HTTP
 * server on 127.0.0.1 started by the test), caches them, and follows a key rotation without a
 * restart; clients connected with a token of the old key stay connected.
 */
class RemoteJwksIT {
  private static final Duration ROTATION = Duration.ofSeconds(60);

  /** A JWKS endpoint whose key set the test changes, counting the fetches. */
  private static final class KeyServer implements AutoCloseable {
    final AtomicReference<String> keys = new AtomicReference<>();
    final AtomicInteger fetches = new AtomicInteger();
    final HttpServer http;

    KeyServer(RSAKey... published) throws Exception {
      publish(published);
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      http.createContext(
          "/jwks.json",
          exchange -> {
            fetches.incrementAndGet();
            byte[] body = keys.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      http.start();
    }

    void publish(RSAKey... published) {
      keys.set(new JWKSet(List.of(published)).toPublicJWKSet().toString());
    }

    String url() {
      return "http://127.0.0.1:" + http.getAddress().getPort() + "/jwks.json";
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }

  private static RSAKey key(String id) throws JOSEException {
    return new RSAKeyGenerator(2048).keyID(id).generate();
  }

  private static String token(RSAKey key, String subject) throws JOSEException {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .expirationTime(Date.from(Instant.now().plusSeconds(600)))
            .claim("roles", List.of("operator"))
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private static WsClient connect(CliGateway gateway, String token) {
    return WsClient.connect(
        gateway.uri(),
        HttpClient.newHttpClient(),
        b -> b.header("Authorization", "Bearer " + token));
  }

  private static boolean accepted(CliGateway gateway, String token) {
    try (WsClient client = connect(gateway, token)) {
      return true;
    } catch (IllegalStateException refused) {
      return false;
    }
  }

  @Test
  void keysComeFromTheKeyServerCachedAndARotationNeedsNoRestartNorDropsAClient() throws Exception {
    RSAKey first = key("k1");
    RSAKey second = key("k2");
    try (KeyServer keyServer = new KeyServer(first);
        CliGateway gateway = CliGateway.start("--jwt-jwks", keyServer.url());
        CluTestActor actor = CluTestActor.start(gateway.exchange, TestBroker.uniqueName("a"));
        WsClient alice = connect(gateway, token(first, "alice"))) {
      for (int i = 0; i < 5; i++) {
        assertThat(accepted(gateway, token(first, "client-" + i))).isTrue();
      }
      assertThat(keyServer.fetches.get()).as("fetches for six clients").isEqualTo(1);

      keyServer.publish(second); // the old key is retired, a new one signs from now on

      String bob = token(second, "bob");
      await()
          .atMost(ROTATION)
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> accepted(gateway, bob));
      assertThat(accepted(gateway, token(first, "late"))).isFalse();
      alice.send(
          "{\"consumer\": \""
              + actor.name()
              + "\", \"command_string\": \"ping\", \"command_id\": \"after-rotation\"}");
      assertThat(alice.awaitFinished("after-rotation"))
          .last()
          .satisfies(
              f -> assertThat(f.path("headers").path("message_code").asText()).isEqualTo(":"));
      assertThat(alice.isClosed()).isFalse();
    }
  }

  @Test
  void aPlainHttpKeyServerOnAnotherMachineIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CliGateway.start("--jwt-jwks", "http://keys.example.org/jwks.json"))
        .isInstanceOf(dev.cluws.core.spi.CluWsException.class)
        .hasMessage(
            "--jwt-jwks: the JWKS URL must be https:// (http:// only to a loopback address), got"
                + " http://keys.example.org/jwks.json");
  }
}
