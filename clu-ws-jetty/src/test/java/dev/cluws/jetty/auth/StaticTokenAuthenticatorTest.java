package dev.cluws.jetty.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.CluWsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticTokenAuthenticatorTest {
  @TempDir Path dir;

  private Path file(String text) throws IOException {
    return Files.writeString(dir.resolve("tokens"), text);
  }

  @Test
  void aListedTokenGivesItsSubjectAndRoles() throws IOException {
    StaticTokenAuthenticator tokens =
        StaticTokenAuthenticator.load(
            file("# comment\n\nplain-token-1234 alice operator,viewer\nother-token bob\n"));

    ClientIdentity alice = tokens.authenticate("plain-token-1234", "10.0.0.1:1");
    assertThat(alice.subject()).isEqualTo("alice");
    assertThat(alice.roles()).containsExactlyInAnyOrder("operator", "viewer");
    assertThat(tokens.authenticate("other-token", "10.0.0.1:1").roles()).isEmpty();
    assertThat(tokens.size()).isEqualTo(2);
  }

  @Test
  void aTokenMayBeListedByItsSha256() throws IOException {
    String hash = StaticTokenAuthenticator.sha256("hashed-token");
    StaticTokenAuthenticator tokens =
        StaticTokenAuthenticator.load(file("sha256:" + hash.toUpperCase() + " carol viewer\n"));

    assertThat(tokens.authenticate("hashed-token", "x").subject()).isEqualTo("carol");
    assertThatThrownBy(() -> tokens.authenticate("sha256:" + hash, "x"))
        .isInstanceOf(AuthenticationException.class);
  }

  @Test
  void anUnknownTokenIsRefused() throws IOException {
    StaticTokenAuthenticator tokens = StaticTokenAuthenticator.load(file("known alice\n"));

    assertThatThrownBy(() -> tokens.authenticate("unknown", "x"))
        .isInstanceOf(AuthenticationException.class)
        .hasMessage("unknown token");
  }

  @Test
  void aMalformedLineIsNamedWithoutItsToken() throws IOException {
    Path file = file("good-token alice\nsecret-token-value\n");

    assertThatThrownBy(() -> StaticTokenAuthenticator.load(file))
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining("line 2")
        .hasMessageNotContaining("secret-token-value");
  }

  @Test
  void anEmptyOrMissingFileIsAnError() throws IOException {
    Path empty = file("# nothing\n");
    assertThatThrownBy(() -> StaticTokenAuthenticator.load(empty))
        .hasMessageContaining("no tokens");
    assertThatThrownBy(() -> StaticTokenAuthenticator.load(dir.resolve("none")))
        .hasMessageContaining("does not exist");
  }

  @Test
  void anyOfTellsTheReasonOfTheAuthenticatorThatRecognizedTheToken() throws IOException {
    Authenticator tokens = StaticTokenAuthenticator.load(file("opaque alice\n"));
    Authenticator jwt =
        JwtAuthenticator.create(JwtSettings.defaults().withHmacSecret(JwtAuthenticatorTest.SECRET));
    Authenticator both = Authenticator.anyOf(List.of(tokens, jwt));

    assertThat(both.authenticate("opaque", "x").subject()).isEqualTo("alice");
    String wrong =
        JwtAuthenticatorTest.hs256(
            "another-secret-of-at-least-32-bytes-long", JwtAuthenticatorTest.claims().build());
    assertThatThrownBy(() -> both.authenticate(wrong, "x")).hasMessageContaining("signature");
    assertThatThrownBy(() -> both.authenticate("nope", "x")).hasMessage("unknown token");
  }
}
