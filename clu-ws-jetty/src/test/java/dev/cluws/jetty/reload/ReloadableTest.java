package dev.cluws.jetty.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cluws.core.spi.CluWsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ReloadableTest {
  @TempDir Path dir;

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(Reloadable.class);
  private final AtomicInteger loads = new AtomicInteger();

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
    logger.setAdditive(false);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
    logger.setAdditive(true);
  }

  /** A "file format" whose value is the file's text; "bad" in it is an error. */
  private Reloadable<String> watch(Path file) {
    return Reloadable.load(
        "the test file",
        List.of(file),
        () -> {
          loads.incrementAndGet();
          try {
            String text = Files.readString(file);
            if (text.contains("bad")) {
              throw new CluWsException("test file " + file + ": it says bad");
            }
            return text;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private List<String> errors() {
    return logs.list.stream()
        .filter(e -> e.getLevel() == Level.ERROR)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void aBadFileAtTheFirstLoadStopsTheStart() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "bad");

    assertThatThrownBy(() -> watch(file))
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining("it says bad");
  }

  @Test
  void aChangeIsLoadedOnlyOnceTheFileHeldStillForOnePoll() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "one");
    Reloadable<String> value = watch(file);

    assertThat(value.poll()).isFalse(); // unchanged
    Files.writeString(file, "tw");
    assertThat(value.poll()).isFalse(); // changed: wait one poll
    Files.writeString(file, "two");
    assertThat(value.poll()).isFalse(); // changed again: wait again
    assertThat(value.get()).isEqualTo("one");
    assertThat(value.poll()).isTrue();

    assertThat(value.get()).isEqualTo("two");
    assertThat(value.poll()).isFalse();
    assertThat(loads).hasValue(2);
  }

  @Test
  void aBadFileIsRefusedWithOneErrorAndTheOldValueStaysUntilTheFileChanges() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "one");
    Reloadable<String> value = watch(file);
    Files.writeString(file, "bad");

    for (int i = 0; i < 5; i++) {
      value.poll();
    }

    assertThat(value.get()).isEqualTo("one");
    assertThat(errors())
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .startsWith(
                        "reload refused: test file " + file + ": it says bad; the test file")
                    .endsWith("stays in force"));
    Files.writeString(file, "three");
    value.poll();
    value.poll();
    assertThat(value.get()).isEqualTo("three");
  }

  @Test
  void aMissingFileIsAChangeThatIsRefusedAndItsReturnIsLoaded() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "one");
    Reloadable<String> value = watch(file);
    Files.delete(file);
    value.poll();
    value.poll();
    assertThat(value.get()).isEqualTo("one");
    assertThat(errors()).hasSize(1);

    Files.writeString(file, "back");
    value.poll();
    value.poll();

    assertThat(value.get()).isEqualTo("back");
  }

  @Test
  void reloadLoadsEvenWithoutAChangeAndTellsTheListeners() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "one");
    Reloadable<String> value = watch(file);
    List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    value.onReload(heard::add);
    value.onReload(
        v -> {
          throw new IllegalStateException("a listener that fails");
        });

    assertThat(value.reload()).isTrue();

    assertThat(heard).containsExactly("one");
    assertThat(loads).hasValue(2);
    assertThat(errors())
        .containsExactly(
            "reloaded the test file, but putting it in force failed:"
                + " java.lang.IllegalStateException: a listener that fails");
  }

  @Test
  void aReplacedValueThatHoldsResourcesIsClosed() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "x");
    AtomicInteger closed = new AtomicInteger();
    Reloadable<AutoCloseable> value =
        Reloadable.load("a closeable", List.of(file), () -> closed::incrementAndGet);

    value.reload();
    value.reload();

    assertThat(closed).hasValue(2);
  }
}
