package dev.cluws.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginSettingsTest {
  private static final List<PluginSetting> DECLARED =
      List.of(
          PluginSetting.integer("max-texts", 16, "The most texts a client may give."),
          PluginSetting.string("greeting", "hello", "What to say."),
          PluginSetting.bool("ignore-case", true, "Whether case is ignored."),
          PluginSetting.duration("expiry", Duration.ofSeconds(30), "How long to remember."));

  @Test
  void aSettingThatWasNotGivenHasItsDefault() {
    PluginSettings settings = PluginSettings.of(DECLARED, Map.of());

    assertThat(settings.getInt("max-texts")).isEqualTo(16);
    assertThat(settings.getString("greeting")).isEqualTo("hello");
    assertThat(settings.getBoolean("ignore-case")).isTrue();
    assertThat(settings.getDuration("expiry")).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.isGiven("max-texts")).isFalse();
    assertThat(settings.keys()).containsExactly("max-texts", "greeting", "ignore-case", "expiry");
  }

  @Test
  void givenValuesAreReadByTheirSettingsType() {
    PluginSettings settings =
        PluginSettings.of(
            DECLARED,
            Map.of("max-texts", " 4 ", "greeting", " hi ", "ignore-case", "FALSE", "expiry", "2m"));

    assertThat(settings.getInt("max-texts")).isEqualTo(4);
    assertThat(settings.getString("greeting")).as("text is kept as given").isEqualTo(" hi ");
    assertThat(settings.getBoolean("ignore-case")).isFalse();
    assertThat(settings.getDuration("expiry")).isEqualTo(Duration.ofMinutes(2));
    assertThat(settings.getString("expiry")).isEqualTo("2m");
    assertThat(settings.isGiven("max-texts")).isTrue();
  }

  @Test
  void durationsAreReadInEveryFormTheCommandLineTakes() {
    for (Map.Entry<String, Duration> example :
        Map.of(
                "500ms", Duration.ofMillis(500),
                "30s", Duration.ofSeconds(30),
                "1h", Duration.ofHours(1),
                "PT1M30S", Duration.ofSeconds(90),
                "pt2s", Duration.ofSeconds(2))
            .entrySet()) {
      assertThat(PluginSetting.Type.DURATION.parse(example.getKey()))
          .as(example.getKey())
          .isEqualTo(example.getValue());
    }
  }

  @Test
  void aValueOfTheWrongTypeIsRefusedWithAMessageNamingTheSettingAndAnExample() {
    assertThatThrownBy(() -> PluginSettings.of(DECLARED, Map.of("max-texts", "many")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the setting 'max-texts': 'many' is not an integer (e.g. 16; at most 2147483647)");
    assertThatThrownBy(() -> PluginSettings.of(DECLARED, Map.of("max-texts", "99999999999")))
        .hasMessageContaining("is not an integer");
    assertThatThrownBy(() -> PluginSettings.of(DECLARED, Map.of("ignore-case", "yes")))
        .hasMessage("the setting 'ignore-case': 'yes' is not true or false");
    assertThatThrownBy(() -> PluginSettings.of(DECLARED, Map.of("expiry", "soon")))
        .hasMessage(
            "the setting 'expiry': 'soon' is not a duration (e.g. 500ms, 30s, 2m, 1h or PT1M30S)");
  }

  @Test
  void anIntegerOutsideItsSettingsRangeIsRefusedWithTheRange() {
    List<PluginSetting> ranged =
        List.of(
            PluginSetting.integer("max-texts", 16, 1, 256, "The most texts a client may give."));

    assertThat(PluginSettings.of(ranged, Map.of("max-texts", "256")).getInt("max-texts"))
        .isEqualTo(256);
    assertThatThrownBy(() -> PluginSettings.of(ranged, Map.of("max-texts", "0")))
        .hasMessage("the setting 'max-texts': '0' is out of range (1 to 256)");
    assertThatThrownBy(() -> PluginSetting.integer("n", 0, 1, 10, "A default out of range."))
        .hasMessage("'0' is out of range (1 to 10)");
    assertThat(PluginSetting.integer("n", 5, 1, Integer.MAX_VALUE, "Positive.").rangeText())
        .isEqualTo("at least 1");
  }

  @Test
  void anUnknownKeyIsRefusedListingTheDeclaredOnes() {
    assertThatThrownBy(() -> PluginSettings.of(DECLARED, Map.of("colour", "red")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "there is no setting 'colour' (settings: max-texts, greeting, ignore-case, expiry)");
    assertThatThrownBy(() -> PluginSettings.of(List.of(), Map.of("colour", "red")))
        .hasMessage("there is no setting 'colour' (there are none)");
  }

  @Test
  void aKeyDeclaredTwiceIsRefused() {
    assertThatThrownBy(
            () ->
                PluginSettings.of(
                    List.of(
                        PluginSetting.integer("n", 1, "One."),
                        PluginSetting.integer("n", 2, "Two.")),
                    Map.of()))
        .hasMessage("the setting 'n' is declared twice");
  }

  @Test
  void readingAnUndeclaredKeyOrWithTheWrongTypeIsAnError() {
    PluginSettings settings = PluginSettings.of(DECLARED, Map.of());

    assertThatThrownBy(() -> settings.getInt("colour"))
        .hasMessageStartingWith("no setting 'colour' is declared");
    assertThatThrownBy(() -> settings.getDuration("max-texts"))
        .hasMessage("the setting 'max-texts' is of type INTEGER, not DURATION");
    assertThatThrownBy(() -> PluginSettings.empty().getString("anything"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSettingsAreAnImmutableCopyOfWhatWasGiven() {
    Map<String, String> given = new HashMap<>(Map.of("max-texts", "4"));
    PluginSettings settings = PluginSettings.of(DECLARED, given);

    given.put("max-texts", "5");

    assertThat(settings.getInt("max-texts")).isEqualTo(4);
    assertThat(settings.keys()).isUnmodifiable();
  }

  @Test
  void theSettingsNeverShowTheirValuesInText() {
    PluginSettings settings = PluginSettings.of(DECLARED, Map.of("greeting", "s3cret"));

    assertThat(settings.toString())
        .doesNotContain("s3cret")
        .contains("greeting (given)", "max-texts (default)");
  }

  @Test
  void aDeclarationNeedsAKeyOfLowerCaseLettersDigitsAndDashesAndADescription() {
    for (String key : new String[] {"", "Max", "max_texts", "max.texts", "1st", "x".repeat(65)}) {
      assertThatThrownBy(() -> PluginSetting.integer(key, 1, "Something."))
          .as(key)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("a setting's key is 1 to 64 lower-case letters");
    }
    assertThatThrownBy(() -> PluginSetting.integer("n", 1, " "))
        .hasMessage("the setting 'n' needs a description");
    assertThat(PluginSetting.duration("expiry", Duration.ofMillis(1500), "Long.").defaultText())
        .isEqualTo("1500ms");
  }
}
