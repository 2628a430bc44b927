package dev.cluws.core.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How the gateway reads the filter parameters of a client's upgrade URL into what a {@link
 * FilterContext} holds: {@code <name>=v1,v2} gives the provider {@code <name>} its {@link
 * FilterContext#values() values}, {@code <name>.<option>=v} one of its {@link
 * FilterContext#options() options}; a parameter may repeat (its values add up, in order).
 */
public final class FilterParameters {
  private FilterParameters() {}

  /**
   * The values of one parameter as the gateway reads them: each raw value split at commas, each
   * part trimmed, blank parts dropped, in order ({@code ["a, b", "", "c"]} gives {@code [a, b,
   * c]}). Null raw values are skipped.
   *
   * @return an unmodifiable list
   */
  public static List<String> values(List<? extends @org.jspecify.annotations.Nullable String> raw) {
    List<String> values = new ArrayList<>();
    for (String value : raw) {
      if (value == null) {
        continue;
      }
      for (String part : value.split(",", -1)) {
        String trimmed = part.trim();
        if (!trimmed.isEmpty()) {
          values.add(trimmed);
        }
      }
    }
    return Collections.unmodifiableList(values);
  }

  /**
   * The provider a parameter is for: the part before its first {@code '.'} ({@code match.keyword}
   * is for {@code match}).
   */
  public static String providerName(String parameter) {
    int dot = parameter.indexOf('.');
    return dot < 0 ? parameter : parameter.substring(0, dot);
  }
}
