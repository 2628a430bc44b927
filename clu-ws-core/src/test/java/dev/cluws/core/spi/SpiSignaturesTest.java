package dev.cluws.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code spi} package's public signatures against the checked-in list {@code
 * src/test/resources/spi-signatures.txt}: what plugins compiled against an earlier build rely on.
 *
 * <p>A removed or changed member (a type's supertypes or modifiers, a method's return type,
 * parameters, modifiers or exceptions, a field's type) fails, and so does a new abstract method on
 * an interface or abstract class, which breaks every plugin that implements it. Additions that keep
 * plugins working (new types, default and static methods, constructors, fields) are reported. After
 * a deliberate change (a new major SPI version, or recording additions), regenerate the list with
 * {@code mvn -pl clu-ws-core test -Dtest=SpiSignaturesTest -Dspi.signatures.update=true} and commit
 * it: the diff is the review of the SPI change. Rules: docs/plugins.md, "SPI evolution".
 */
class SpiSignaturesTest {
  private static final Logger log = LoggerFactory.getLogger(SpiSignaturesTest.class);
  private static final String RESOURCE = "spi-signatures.txt";
  private static final String PACKAGE = SpiVersion.class.getPackageName();

  @Test
  void theSpiKeepsEveryPublicSignatureItHadAndAddsNoAbstractMethod() throws IOException {
    Map<String, String> current = signatures(spiTypes());
    if (Boolean.getBoolean("spi.signatures.update")) {
      write(current);
      log.warn("rewrote {} with {} signatures", sourceFile(), current.size());
      return;
    }
    Map<String, String> recorded = read();

    List<String> removed = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> added = new ArrayList<>();
    List<String> breakingAdditions = new ArrayList<>();
    recorded.forEach(
        (key, line) -> {
          String now = current.get(key);
          if (now == null) {
            removed.add(line);
          } else if (!now.equals(line)) {
            changed.add(line + "\n      now: " + now);
          }
        });
    current.forEach(
        (key, line) -> {
          if (!recorded.containsKey(key)) {
            (line.contains(" abstract ") && !line.startsWith("type ") ? breakingAdditions : added)
                .add(line);
          }
        });
    if (!added.isEmpty()) {
      log.info(
          "the spi adds {} signature(s) not yet in {} (compatible; record them with"
              + " -Dspi.signatures.update=true):\n  {}",
          added.size(),
          RESOURCE,
          String.join("\n  ", added));
    }

    assertThat(removed).as("spi members removed (breaks compiled plugins)").isEmpty();
    assertThat(changed).as("spi members changed (breaks compiled plugins)").isEmpty();
    assertThat(breakingAdditions)
        .as("abstract methods added to spi types (make them default methods)")
        .isEmpty();
  }

  @Test
  void theSignaturesCoverEveryKindOfMemberSoTheCheckIsNotVacuous() throws IOException {
    Map<String, String> current = signatures(spiTypes());

    assertThat(current.values())
        .anyMatch(l -> l.startsWith("type public abstract interface " + PACKAGE + ".ReplyFilter"))
        .anyMatch(l -> l.contains(" default ") && l.contains("spiVersion()"))
        .anyMatch(l -> l.contains(" abstract ") && l.contains(".send(" + PACKAGE + ".Command)"))
        .anyMatch(l -> l.startsWith("field ") && l.contains("SpiVersion.CURRENT"))
        .anyMatch(l -> l.startsWith("constructor ") && l.contains(".Reply("));
    assertThat(read()).isNotEmpty();
  }

  /** The public and protected types of the spi package, nested ones included. */
  private static List<Class<?>> spiTypes() throws IOException {
    Path dir = classesRoot().resolve(PACKAGE.replace('.', '/'));
    List<Class<?>> types = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().collect(Collectors.toList())) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".class") || name.equals("package-info.class")) {
          continue;
        }
        Class<?> type = load(PACKAGE + "." + name.substring(0, name.length() - 6));
        if (exposed(type)) {
          types.add(type);
        }
      }
    }
    return types;
  }

  private static boolean exposed(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
      if (t.isAnonymousClass()
          || t.isLocalClass()
          || t.isSynthetic()
          || !(Modifier.isPublic(t.getModifiers()) || Modifier.isProtected(t.getModifiers()))) {
        return false;
      }
    }
    return true;
  }

  /** One line per type and member, keyed by what identifies it (so a change is not an add). */
  static Map<String, String> signatures(List<Class<?>> types) {
    Map<String, String> all = new TreeMap<>();
    for (Class<?> type : types) {
      String owner = type.getName();
      all.put(owner, "type " + describe(type));
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (visible(c.getModifiers()) && !c.isSynthetic()) {
          all.put(owner + "#<init>" + erased(c), "constructor " + c.toGenericString());
        }
      }
      for (Method m : type.getDeclaredMethods()) {
        if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
          all.put(owner + "#" + m.getName() + erased(m), "method " + m.toGenericString());
        }
      }
      for (Field f : type.getDeclaredFields()) {
        if (visible(f.getModifiers()) && !f.isSynthetic()) {
          all.put(owner + "#" + f.getName(), "field " + f.toGenericString());
        }
      }
    }
    return all;
  }

  private static String describe(Class<?> type) {
    StringBuilder s = new StringBuilder(Modifier.toString(type.getModifiers()));
    s.append(
        type.isInterface()
            ? " "
            : type.isRecord() ? " record " : type.isEnum() ? " enum " : " class ");
    s.append(type.getName());
    if (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class) {
      s.append(" extends ").append(type.getGenericSuperclass().getTypeName());
    }
    if (type.getGenericInterfaces().length > 0) {
      s.append(type.isInterface() ? " extends " : " implements ")
          .append(
              Arrays.stream(type.getGenericInterfaces())
                  .map(java.lang.reflect.Type::getTypeName)
                  .collect(Collectors.joining(", ")));
    }
    return s.toString();
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static String erased(Executable e) {
    return Arrays.stream(e.getParameterTypes())
        .map(Class::getTypeName)
        .collect(Collectors.joining(",", "(", ")"));
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, SpiSignaturesTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError("cannot load " + name, e);
    }
  }

  private static Path classesRoot() {
    try {
      return Path.of(SpiVersion.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /** The recorded list: lines "key\tsignature", '#' comments. */
  private static Map<String, String> read() throws IOException {
    Map<String, String> recorded = new LinkedHashMap<>();
    try (InputStream in = SpiSignaturesTest.class.getResourceAsStream("/" + RESOURCE)) {
      assertThat(in).as(RESOURCE + " on the test class path").isNotNull();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int tab = line.indexOf('\t');
        recorded.put(line.substring(0, tab), line.substring(tab + 1));
      }
    }
    return recorded;
  }

  private static void write(Map<String, String> signatures) throws IOException {
    StringBuilder s =
        new StringBuilder(
            "# The public signatures of dev.cluws.core.spi, checked by SpiSignaturesTest.\n"
                + "# Regenerate after a deliberate SPI change: -Dspi.signatures.update=true\n"
                + "# (see docs/plugins.md, \"SPI evolution\"). key<TAB>signature\n");
    signatures.forEach((key, line) -> s.append(key).append('\t').append(line).append('\n'));
    Files.writeString(sourceFile(), s.toString(), StandardCharsets.UTF_8);
  }

  private static Path sourceFile() {
    String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
    return Path.of(basedir, "src", "test", "resources", RESOURCE);
  }
}
