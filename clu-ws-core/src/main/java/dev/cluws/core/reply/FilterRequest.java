package dev.cluws.core.reply;

import dev.cluws.core.spi.FilterParameters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a client asked of one filter provider: the values of the parameter {@code <name>} and the
 * options {@code <name>.<option>}.
 *
 * @param name the provider's name
 * @param values the values of {@code <name>}, in order
 * @param options the values of each {@code <name>.<option>}, by option
 */
public record FilterRequest(String name, List<String> values, Map<String, List<String>> options) {

  public FilterRequest {
    values = List.copyOf(values);
    Map<String, List<String>> copy = new LinkedHashMap<>();
    options.forEach((option, optionValues) -> copy.put(option, List.copyOf(optionValues)));
    options = Collections.unmodifiableMap(copy);
  }

  /**
   * What query parameters ask of each filter, read as the gateway reads a client's upgrade URL:
   * comma-separated values split, blanks dropped, {@code <name>} giving values and {@code
   * <name>.<option>} an option. Every parameter counts (no name is reserved here).
   *
   * @param query parameter name to its raw values, in order
   */
  public static Map<String, FilterRequest> fromParameters(Map<String, List<String>> query) {
    return group(Subscription.normalize(query), name -> true);
  }

  /**
   * Groups parameters by filter name: {@code name} gives values, {@code name.option} an option.
   * Parameters for which {@code isFilterParameter} is false are left out.
   */
  public static Map<String, FilterRequest> group(
      Map<String, List<String>> parameters, java.util.function.Predicate<String> isFilterName) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    Map<String, Map<String, List<String>>> options = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
      String key = parameter.getKey();
      String name = nameOf(key);
      if (!isFilterName.test(name)) {
        continue;
      }
      values.computeIfAbsent(name, n -> new ArrayList<>());
      Map<String, List<String>> own = options.computeIfAbsent(name, n -> new LinkedHashMap<>());
      if (key.length() == name.length()) {
        values.get(name).addAll(parameter.getValue());
      } else {
        own.computeIfAbsent(key.substring(name.length() + 1), o -> new ArrayList<>())
            .addAll(parameter.getValue());
      }
    }
    Map<String, FilterRequest> result = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> entry : values.entrySet()) {
      result.put(
          entry.getKey(),
          new FilterRequest(entry.getKey(), entry.getValue(), options.get(entry.getKey())));
    }
    return result;
  }

  /** The filter name of a parameter: the part before the first {@code '.'}. */
  public static String nameOf(String parameter) {
    return FilterParameters.providerName(parameter);
  }

  void appendParameters(Map<String, List<String>> out) {
    if (!values.isEmpty() || options.isEmpty()) { // an option alone selects the filter
      out.put(name, values);
    }
    options.forEach((option, optionValues) -> out.put(name + "." + option, optionValues));
  }
}
