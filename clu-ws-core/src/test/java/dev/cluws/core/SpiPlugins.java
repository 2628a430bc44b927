package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.spi.ReplyFilterProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds a filter plugin jar the way a plugin author's build does: {@code javac} compiles a
 * provider whose {@code spiVersion()} returns {@code SpiVersion.CURRENT}, and the jar holds that
 * class and its {@code META-INF/services} file.
 */
final class SpiPlugins {
  /** The provider's class; its name is {@code stated}. */
  static final String PROVIDER_CLASS = "dev.cluws.testplugin.StatedProvider";

  private static final String PROVIDER_SOURCE =
      """
      package dev.cluws.testplugin;

      import dev.cluws.core.spi.FilterContext;
      import dev.cluws.core.spi.ReplyFilter;
      import dev.cluws.core.spi.ReplyFilterProvider;
      import dev.cluws.core.spi.SpiVersion;

      public final class StatedProvider implements ReplyFilterProvider {
        @Override
        public String name() {
          return "stated";
        }

        @Override
        public String spiVersion() {
          return SpiVersion.CURRENT;
        }

        @Override
        public ReplyFilter create(FilterContext context) {
          return new ReplyFilter() {};
        }
      }
      """;

  private SpiPlugins() {}

  /**
   * Compiles the provider against the gateway's {@code spi} on the test class path, or, with a
   * version, against an {@code spi} whose {@code SpiVersion.CURRENT} is that version (a {@code
   * SpiVersion} compiled beside the provider, which is not put in the jar), and packs the jar.
   */
  static Path compileProviderJar(Path work, String jarName, String spiVersion) throws IOException {
    Path sources = Files.createDirectories(work.resolve("src-" + jarName));
    Path output = Files.createDirectories(work.resolve("out-" + jarName));
    List<String> options =
        List.of(
            "--release", "17",
            "-classpath", System.getProperty("java.class.path"),
            "-d", output.toString());
    List<String> files = new ArrayList<>();
    files.add(write(sources, PROVIDER_CLASS, PROVIDER_SOURCE).toString());
    if (spiVersion != null) {
      String newerSpi =
          "package dev.cluws.core.spi;\n\n"
              + "public final class SpiVersion {\n"
              + "  public static final String CURRENT = \""
              + spiVersion
              + "\";\n"
              + "  public static final String UNSTATED = \"1.0\";\n"
              + "}\n";
      files.add(write(sources, "dev.cluws.core.spi.SpiVersion", newerSpi).toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's compiler").isNotNull();
    StringWriter errors = new StringWriter();
    try (StandardJavaFileManager fileManager =
        javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      boolean compiled =
          javac
              .getTask(
                  errors,
                  fileManager,
                  null,
                  options,
                  null,
                  fileManager.getJavaFileObjectsFromStrings(files))
              .call();
      assertThat(compiled).as("javac: %s", errors).isTrue();
    }

    Path jar = work.resolve(jarName);
    String classFile = PROVIDER_CLASS.replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry(classFile));
      out.write(Files.readAllBytes(output.resolve(classFile)));
      out.closeEntry();
      out.putNextEntry(new JarEntry("META-INF/services/" + ReplyFilterProvider.class.getName()));
      out.write((PROVIDER_CLASS + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }

  private static Path write(Path root, String className, String source) throws IOException {
    Path file = root.resolve(className.replace('.', '/') + ".java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, source, StandardCharsets.UTF_8);
    return file;
  }
}
