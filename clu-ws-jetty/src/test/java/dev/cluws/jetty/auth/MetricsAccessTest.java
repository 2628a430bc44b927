package dev.cluws.jetty.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.CluWsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsAccessTest {
  @TempDir Path dir;

  @Test
  void byDefaultOnlyTheOperatorRoleReadsMetrics() {
    MetricsAccess access = MetricsAccess.defaults();

    assertThat(access.allows(identity("operator", "viewer"))).isTrue();
    assertThat(access.allows(identity("viewer"))).isFalse();
    assertThat(access.allows(identity())).isFalse();
    assertThat(access.hasTokens()).isFalse();
  }

  @Test
  void theRolesCanBeReplaced() {
    MetricsAccess access = MetricsAccess.defaults().withRoles(List.of(" monitoring ", "", "ops"));

    assertThat(access.roles()).containsExactlyInAnyOrder("monitoring", "ops");
    assertThat(access.allows(identity("operator"))).isFalse();
    assertThat(access.allows(identity("ops"))).isTrue();
  }

  @Test
  void aTokenFileHoldsTokensAndHashes() throws Exception {
    Path file = dir.resolve("metrics-tokens");
    Files.writeString(
        file,
        "# scrapers\n\nplain-token\nSHA256:"
            + StaticTokenAuthenticator.sha256("hashed-token").toUpperCase()
            + "\n");

    MetricsAccess access = MetricsAccess.defaults().withTokenFile(file);

    assertThat(access.isMetricsToken("plain-token")).isTrue();
    assertThat(access.isMetricsToken("hashed-token")).isTrue();
    assertThat(access.isMetricsToken("other")).isFalse();
    assertThat(access.isMetricsToken(null)).isFalse();
    assertThat(access.toString()).doesNotContain("plain-token").contains("2 metrics token(s)");
  }

  @Test
  void aBadTokenFileIsRefusedWithItsLine() throws Exception {
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "# nothing\n");
    Path spaced = dir.resolve("spaced");
    Files.writeString(spaced, "a b\n");
    Path shortHash = dir.resolve("short");
    Files.writeString(shortHash, "sha256:abc\n");

    assertThatThrownBy(() -> MetricsAccess.defaults().withTokenFile(empty))
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining("has no tokens");
    assertThatThrownBy(() -> MetricsAccess.defaults().withTokenFile(spaced))
        .hasMessageContaining("line 1");
    assertThatThrownBy(() -> MetricsAccess.defaults().withTokenFile(shortHash))
        .hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> MetricsAccess.defaults().withTokenFile(dir.resolve("missing")))
        .hasMessageContaining("does not exist");
  }

  private static ClientIdentity identity(String... roles) {
    return new ClientIdentity("someone", Set.of(roles), "127.0.0.1:1");
  }
}
