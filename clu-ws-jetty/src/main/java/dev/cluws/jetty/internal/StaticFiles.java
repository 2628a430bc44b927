package dev.cluws.jetty.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Files read from one class path folder (in the jar), for the web console. A file is read once, on
 * its first request, and kept in memory with its content type and an entity tag; the folder holds a
 * handful of small files, and only files that exist are kept, so the cache is bounded by the
 * folder's content, whatever names clients ask for.
 *
 * <p>Only plain relative names are served: segments of letters, digits, {@code .}, {@code _} and
 * {@code -} that do not start with a dot, separated by single {@code /}. Anything else ({@code ..},
 * a backslash, an empty segment, a hidden file, a folder) is not found, so no request reaches
 * outside the folder and no folder is ever listed.
 */
public final class StaticFiles {
  /** The class path folder of the web console in this module's jar. */
  public static final String CONSOLE_FOLDER = "dev/cluws/jetty/console/";

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");
  private static final int MAX_NAME_LENGTH = 200;

  /** The largest file served; the console's files are a few KiB. */
  private static final int MAX_FILE_BYTES = 4 << 20;

  private static final Map<String, String> TYPES =
      Map.ofEntries(
          Map.entry("html", "text/html; charset=utf-8"),
          Map.entry("htm", "text/html; charset=utf-8"),
          Map.entry("js", "text/javascript; charset=utf-8"),
          Map.entry("mjs", "text/javascript; charset=utf-8"),
          Map.entry("css", "text/css; charset=utf-8"),
          Map.entry("json", "application/json"),
          Map.entry("map", "application/json"),
          Map.entry("txt", "text/plain; charset=utf-8"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("png", "image/png"),
          Map.entry("ico", "image/x-icon"),
          Map.entry("webp", "image/webp"),
          Map.entry("woff2", "font/woff2"));

  /** A file ready to send. */
  public record File(String name, byte[] content, String contentType, String etag) {}

  private final ClassLoader loader;
  private final String folder;
  private final Map<String, File> cache = new ConcurrentHashMap<>();

  /**
   * @param loader where the files are looked up
   * @param folder the class path folder, ending with {@code /} (no leading {@code /})
   */
  public StaticFiles(ClassLoader loader, String folder) {
    this.loader = Objects.requireNonNull(loader, "loader");
    this.folder = Objects.requireNonNull(folder, "folder");
    if (!folder.endsWith("/") || folder.startsWith("/")) {
      throw new IllegalArgumentException("folder must be relative and end with '/': " + folder);
    }
  }

  /** The console's files in this module's jar. */
  public static StaticFiles console() {
    return new StaticFiles(StaticFiles.class.getClassLoader(), CONSOLE_FOLDER);
  }

  /**
   * The file at {@code name} (relative to the folder, e.g. {@code "console/app.js"}), or empty when
   * the name is not a plain file name, the type is not one served, or there is no such file.
   *
   * @throws UncheckedIOException when the file exists but cannot be read
   */
  public Optional<File> find(String name) {
    File cached = cache.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    if (!plainName(name)) {
      return Optional.empty();
    }
    String type = contentType(name);
    if (type == null) {
      return Optional.empty();
    }
    URL url = loader.getResource(folder + name);
    if (url == null || (url.getProtocol().equals("file") && !regularFile(url))) {
      return Optional.empty();
    }
    byte[] content;
    try (InputStream in = url.openStream()) {
      content = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (IOException e) {
      // A folder inside a jar is a resource too; it cannot be read as a file.
      return Optional.empty();
    }
    if (content.length > MAX_FILE_BYTES) {
      throw new UncheckedIOException(
          new IOException(folder + name + " is larger than " + MAX_FILE_BYTES + " bytes"));
    }
    File file = new File(name, content, type, etag(content));
    File raced = cache.putIfAbsent(name, file);
    return Optional.of(raced != null ? raced : file);
  }

  /** The content type served for a file name, or {@code null} for a type that is not served. */
  static String contentType(String name) {
    int dot = name.lastIndexOf('.');
    if (dot < 0 || dot < name.lastIndexOf('/')) {
      return null;
    }
    return TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static boolean regularFile(URL url) {
    try {
      return Files.isRegularFile(Path.of(url.toURI()));
    } catch (URISyntaxException | RuntimeException e) {
      return false;
    }
  }

  static boolean plainName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      return false;
    }
    for (String segment : name.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches()) {
        return false;
      }
    }
    return true;
  }

  private static String etag(byte[] content) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
      return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform has SHA-256; fall back to a weaker tag rather than fail.
      return "\""
          + Integer.toHexString(new String(content, StandardCharsets.ISO_8859_1).hashCode())
          + "-"
          + content.length
          + "\"";
    }
  }
}
