package dev.cluws.jetty.reload;

import dev.cluws.core.spi.CluWsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value loaded from files (a token file, a permissions file, a certificate) that can be loaded
 * again while the server runs. Readers call {@link #get()} on every use and see the new value at
 * once; a load that fails (a missing, half-written or invalid file) is refused with one ERROR line
 * naming the file and the reason, and the previous value stays in force.
 *
 * <p>{@link #reload()} loads unconditionally (SIGHUP); {@link #poll()}, called periodically by a
 * {@link Reloader}, loads when the files' contents changed and then stayed the same for one more
 * poll, so that a file caught in the middle of being written is not loaded. Loads are serialised;
 * {@link #get()} never blocks.
 *
 * @param <T> the loaded value (immutable and thread-safe)
 */
public final class Reloadable<T> implements Supplier<T> {
  private static final Logger log = LoggerFactory.getLogger(Reloadable.class);

  private final String what;
  private final List<Path> files;
  private final Supplier<T> loader;
  private final List<Consumer<? super T>> listeners = new CopyOnWriteArrayList<>();
  private volatile T current;
  private volatile Instant loadedAt;

  /** Guarded by {@code this}: the contents last loaded or refused, and a change seen once. */
  private byte[] seen;

  private byte[] pending;

  private Reloadable(String what, List<Path> files, Supplier<T> loader) {
    this.what = Objects.requireNonNull(what, "what");
    this.files = List.copyOf(files);
    this.loader = Objects.requireNonNull(loader, "loader");
  }

  /**
   * Loads the value for the first time.
   *
   * @param what what it is, for log lines ({@code "the token file"})
   * @param files the files it is read from (watched for changes)
   * @param loader reads the files and returns the value, or throws {@link CluWsException} naming
   *     the file and what is wrong with it
   * @throws CluWsException when the first load fails
   */
  public static <T> Reloadable<T> load(String what, List<Path> files, Supplier<T> loader) {
    Reloadable<T> reloadable = new Reloadable<>(what, files, loader);
    synchronized (reloadable) {
      reloadable.seen = reloadable.fingerprint();
      reloadable.current = Objects.requireNonNull(loader.get(), "loaded value");
      reloadable.loadedAt = Instant.now();
    }
    return reloadable;
  }

  /** The value in force: the last one loaded successfully. */
  @Override
  public T get() {
    return current;
  }

  /** What it is, for log lines. */
  public String what() {
    return what;
  }

  /** The files it is read from. */
  public List<Path> files() {
    return files;
  }

  /** When the value in force was loaded. */
  public Instant loadedAt() {
    return loadedAt;
  }

  /**
   * Calls {@code listener} with every value loaded from now on (on the thread that loaded it, after
   * {@link #get()} returns it). A listener that throws is logged; the value stays loaded.
   */
  public void onReload(Consumer<? super T> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Loads the files again, whether they changed or not.
   *
   * @return whether the new value is in force (else the error is logged and the old one stays)
   */
  public synchronized boolean reload() {
    seen = fingerprint();
    pending = null;
    return load();
  }

  /**
   * Loads the files again when their contents changed since the last load and have not changed
   * since the previous poll.
   *
   * @return whether a new value was loaded
   */
  public synchronized boolean poll() {
    byte[] now = fingerprint();
    if (Arrays.equals(now, seen)) {
      pending = null;
      return false;
    }
    if (!Arrays.equals(now, pending)) {
      pending = now; // changed: load once it holds still
      return false;
    }
    seen = now;
    pending = null;
    return load();
  }

  private boolean load() {
    T loaded;
    try {
      loaded = Objects.requireNonNull(loader.get(), "loaded value");
    } catch (CluWsException e) {
      log.error(
          "reload refused: {}; {} loaded at {} stays in force", e.getMessage(), what, loadedAt);
      return false;
    } catch (RuntimeException e) {
      log.error("reload refused: {}: {}; {} loaded at {} stays in force", what, e, what, loadedAt);
      log.debug("reload of {} failed", what, e);
      return false;
    }
    T replaced = current;
    current = loaded;
    loadedAt = Instant.now();
    if (replaced instanceof AutoCloseable closeable && replaced != loaded) {
      try {
        closeable.close(); // e.g. the refresh thread of a remote key set
      } catch (Exception e) {
        log.debug("closing the replaced {} failed", what, e);
      }
    }
    log.info("reloaded {} from {}", what, files.size() == 1 ? files.get(0) : files);
    for (Consumer<? super T> listener : listeners) {
      try {
        listener.accept(loaded);
      } catch (RuntimeException e) {
        log.error("reloaded {}, but putting it in force failed: {}", what, e.toString());
        log.debug("putting the reloaded {} in force failed", what, e);
      }
    }
    return true;
  }

  /** A digest of the files' contents (a missing or unreadable file counts as its own state). */
  private byte[] fingerprint() {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
    for (Path file : files) {
      digest.update(file.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      try {
        digest.update((byte) 1);
        digest.update(Files.readAllBytes(file));
      } catch (NoSuchFileException e) {
        digest.update((byte) 2);
      } catch (IOException e) {
        digest.update((byte) 3);
      }
    }
    return digest.digest();
  }

  @Override
  public String toString() {
    return "Reloadable[" + what + ", " + files + "]";
  }
}
