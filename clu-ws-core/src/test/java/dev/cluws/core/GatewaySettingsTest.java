package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class GatewaySettingsTest {

  @Test
  void theDefaultNameIsCluWsAndTwelveHexDigits() {
    assertThat(GatewaySettings.defaults().name()).matches("clu-ws-[0-9a-f]{12}");
  }

  @Test
  void everyDefaultNameIsDifferent() {
    assertThat(GatewaySettings.defaults().name()).isNotEqualTo(GatewaySettings.defaults().name());
  }

  @Test
  void aBlankNameIsRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> GatewaySettings.named(" "));
  }

  @Test
  void outboxBoundsMustBePositive() {
    GatewaySettings settings = GatewaySettings.named("gw");

    assertThatIllegalArgumentException().isThrownBy(() -> settings.withOutbox(0, 1));
    assertThatIllegalArgumentException().isThrownBy(() -> settings.withOutbox(1, 0));
  }

  @Test
  void theWithMethodsChangeOnlyTheirOwnFields() {
    GatewaySettings settings =
        GatewaySettings.named("gw").withOutbox(7, 700).withProviders("src", "snk").withName("gw2");

    assertThat(settings).isEqualTo(new GatewaySettings("gw2", "src", "snk", 7, 700));
  }
}
