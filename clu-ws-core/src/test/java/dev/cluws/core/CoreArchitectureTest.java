package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core stays transport-free: no file of its main sources imports Jetty, RabbitMQ or Guice. The
 * enforcer plugin bans the dependencies; this test catches an import that sneaks in through a
 * transitive dependency or a copy-paste.
 */
class CoreArchitectureTest {
  private static final Pattern FORBIDDEN_IMPORT =
      Pattern.compile(
          "^\\s*import\\s+(?:static\\s+)?"
              + "((?:org\\.eclipse\\.jetty|com\\.rabbitmq|com\\.google\\.inject)\\b[\\w.*]*)\\s*;");

  /** The main sources, from the module directory (surefire's working directory and basedir). */
  private static Path mainSources() {
    String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
    return Path.of(basedir, "src", "main", "java");
  }

  private static List<Path> javaFiles(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".java"))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The forbidden imports in one file's text, as {@code "<line>: <package>"}. */
  static List<String> forbiddenImports(String source) {
    List<String> found = new ArrayList<>();
    String[] lines = source.split("\\R");
    for (int i = 0; i < lines.length; i++) {
      Matcher m = FORBIDDEN_IMPORT.matcher(lines[i]);
      if (m.find()) {
        found.add((i + 1) + ": " + m.group(1));
      }
    }
    return found;
  }

  @Test
  void theMainSourcesAreFoundSoTheCheckBelowIsNotVacuous() {
    Path root = mainSources();

    assertThat(root).isDirectory();
    assertThat(javaFiles(root))
        .hasSizeGreaterThan(20)
        .anyMatch(p -> p.endsWith(Path.of("dev", "cluws", "core", "Gateway.java")))
        .anyMatch(p -> p.endsWith(Path.of("dev", "cluws", "core", "spi", "Reply.java")));
  }

  @Test
  void noMainSourceFileImportsJettyRabbitMqOrGuice() throws IOException {
    List<String> violations = new ArrayList<>();
    Path root = mainSources();
    for (Path file : javaFiles(root)) {
      for (String hit : forbiddenImports(Files.readString(file, StandardCharsets.UTF_8))) {
        violations.add(root.relativize(file) + ":" + hit);
      }
    }

    assertThat(violations).as("clu-ws-core must not import Jetty, RabbitMQ or Guice").isEmpty();
  }

  @Test
  void theCheckRecognisesEveryForbiddenImportForm() {
    String source =
        String.join(
            "\n",
            "package dev.cluws.core;",
            "import org.eclipse.jetty.websocket.api.Session;",
            "import com.rabbitmq.client.*;",
            "  import static com.google.inject.Guice.createInjector;",
            "import com.google.inject.Inject;",
            "import com.rabbitmqx.NotRabbit;",
            "import org.slf4j.Logger;",
            "// see com.rabbitmq.client.Channel");

    assertThat(forbiddenImports(source))
        .containsExactly(
            "2: org.eclipse.jetty.websocket.api.Session",
            "3: com.rabbitmq.client.*",
            "4: com.google.inject.Guice.createInjector",
            "5: com.google.inject.Inject");
  }
}
