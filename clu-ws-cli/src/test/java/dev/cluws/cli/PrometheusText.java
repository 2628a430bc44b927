package dev.cluws.cli;

import dev.cluws.testkit.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scrape of {@code /metrics} parsed from the Prometheus text format (version 0.0.4): every sample
 * with its name, labels and value, and the {@code # TYPE} of every metric.
 */
final class PrometheusText {
  record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples = new ArrayList<>();
  private final Map<String, String> types = new LinkedHashMap<>();
  private final String text;

  private PrometheusText(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).split(" ");
        types.put(parts[0], parts[1]);
      } else if (!line.startsWith("#")) {
        samples.add(sample(line));
      }
    }
  }

  static PrometheusText parse(String text) {
    return new PrometheusText(text);
  }

  /** GETs {@code /metrics} of a server on the loopback port; fails unless the answer is 200. */
  static PrometheusText scrape(int port) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .timeout(WsClient.WAIT)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError(
            "/metrics answered " + response.statusCode() + ": " + response.body());
      }
      return parse(response.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Sample sample(String line) {
    int brace = line.indexOf('{');
    int space;
    String name;
    Map<String, String> labels = new LinkedHashMap<>();
    if (brace >= 0 && brace < line.indexOf(' ')) {
      name = line.substring(0, brace);
      int i = brace + 1;
      while (line.charAt(i) != '}') {
        int equals = line.indexOf('=', i);
        String label = line.substring(i, equals).strip();
        StringBuilder value = new StringBuilder();
        int j = equals + 2; // past ="
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char next = line.charAt(++j);
            value.append(next == 'n' ? '\n' : next);
          } else {
            value.append(c);
          }
        }
        labels.put(label, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      space = i + 1;
    } else {
      space = line.indexOf(' ');
      name = line.substring(0, space);
    }
    String[] rest = line.substring(space).strip().split(" ");
    return new Sample(name, labels, Double.parseDouble(rest[0]));
  }

  /** The samples of a metric whose labels include the given {@code name, value} pairs. */
  List<Sample> samples(String name, String... labelPairs) {
    List<Sample> found = new ArrayList<>();
    for (Sample sample : samples) {
      if (sample.name().equals(name) && matches(sample.labels(), labelPairs)) {
        found.add(sample);
      }
    }
    return found;
  }

  /** The value of the one sample with this name and these labels; fails when there is not one. */
  double value(String name, String... labelPairs) {
    List<Sample> found = samples(name, labelPairs);
    if (found.size() != 1) {
      throw new AssertionError(
          found.size()
              + " samples of "
              + name
              + " "
              + List.of(labelPairs)
              + " in the scrape:\n"
              + text);
    }
    return found.get(0).value();
  }

  /** The {@code # TYPE} of a metric family, or {@code null}. */
  String type(String family) {
    return types.get(family);
  }

  String text() {
    return text;
  }

  private static boolean matches(Map<String, String> labels, String... pairs) {
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      if (!pairs[i + 1].equals(labels.get(pairs[i]))) {
        return false;
      }
    }
    return true;
  }
}
