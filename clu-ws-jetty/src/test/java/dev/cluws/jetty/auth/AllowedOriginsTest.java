package dev.cluws.jetty.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllowedOriginsTest {
  private final AllowedOrigins origins =
      AllowedOrigins.of(
          List.of("https://ops.example.org", "https://*.lvm.example", "http://localhost:*"));

  @Test
  void listedOriginsAreAllowedCaseInsensitively() {
    assertThat(origins.allows("https://ops.example.org")).isTrue();
    assertThat(origins.allows("HTTPS://OPS.EXAMPLE.ORG")).isTrue();
  }

  @Test
  void wildcardsMatchSubdomainsAndPorts() {
    assertThat(origins.allows("https://web.lvm.example")).isTrue();
    assertThat(origins.allows("http://localhost:8080")).isTrue();
    assertThat(origins.allows("https://lvm.example.evil.org")).isFalse();
  }

  @Test
  void aForeignOriginIsRefused() {
    assertThat(origins.allows("https://evil.example")).isFalse();
    assertThat(origins.allows("http://ops.example.org")).isFalse();
    assertThat(origins.allows("null")).isFalse();
  }

  @Test
  void aRequestWithoutOriginIsNotFromAWebPageAndIsAllowed() {
    assertThat(origins.allows(null)).isTrue();
  }

  @Test
  void noListAllowsEveryOrigin() {
    assertThat(AllowedOrigins.of(List.of()).allowsAny()).isTrue();
    assertThat(AllowedOrigins.of(List.of(" ")).allows("https://evil.example")).isTrue();
    assertThat(AllowedOrigins.of(List.of("*")).allows("https://evil.example")).isTrue();
  }

  @Test
  void aTrailingSlashIsIgnoredButAPathIsAMistake() {
    assertThat(
            AllowedOrigins.of(List.of("https://ops.example.org/"))
                .allows("https://ops.example.org"))
        .isTrue();
    assertThatThrownBy(() -> AllowedOrigins.of(List.of("https://ops.example.org/app")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not an origin");
  }
}
