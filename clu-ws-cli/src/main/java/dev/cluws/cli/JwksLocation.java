package dev.cluws.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/**
 * Where {@code --jwt-jwks} finds the JSON Web Key Set: a local file, or an {@code https://} URL
 * (the key server of a single sign-on system, fetched and cached while the gateway runs).
 *
 * @param file the file, or {@code null}
 * @param url the URL, or {@code null}
 */
record JwksLocation(Path file, URI url) {
  private static final Pattern URL = Pattern.compile("(?i)^[a-z][a-z0-9+.-]*://.*");

  /** Whether a value is a URL ({@code <scheme>://…}) rather than a file. */
  static boolean isUrl(String value) {
    return URL.matcher(value.strip()).matches();
  }

  /** A value with a scheme ({@code https://…}) is a URL; anything else a file. */
  static JwksLocation parse(String value) {
    String text = value.strip();
    if (isUrl(text)) {
      URI uri = URI.create(text);
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("not a URL with a host: " + text);
      }
      return new JwksLocation(null, uri);
    }
    return new JwksLocation(Path.of(text), null);
  }

  @Override
  public String toString() {
    return file != null ? file.toString() : url.toString();
  }

  /** Picocli's converter. */
  static final class Converter implements ITypeConverter<JwksLocation> {
    @Override
    public JwksLocation convert(String value) {
      return parse(value);
    }
  }
}
