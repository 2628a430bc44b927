package dev.cluws.jetty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The console's files by name, without Jetty's own URI checks in front. */
class StaticFilesTest {
  private final StaticFiles files =
      new StaticFiles(getClass().getClassLoader(), "dev/cluws/jetty/internal/testconsole/");

  @Test
  void aFileInTheFolderIsFoundWithItsTypeAndTag() {
    StaticFiles.File file = files.find("console/console.css").orElseThrow();

    assertThat(file.contentType()).isEqualTo("text/css; charset=utf-8");
    assertThat(new String(file.content(), java.nio.charset.StandardCharsets.UTF_8))
        .contains("color");
    assertThat(file.etag()).matches("\"[0-9a-f]{24}\"");
    assertThat(files.find("console/console.css").orElseThrow()).isSameAs(file);
  }

  @Test
  void namesThatLeaveTheFolderAreNotFound() {
    // The file exists, two folders above the console's: only a traversal could reach it.
    assertThat(getClass().getClassLoader().getResource("dev/cluws/jetty/internal/secret.txt"))
        .isNotNull();

    assertThat(files.find("../secret.txt")).isEmpty();
    assertThat(files.find("console/../../secret.txt")).isEmpty();
    assertThat(files.find("console/..\\..\\secret.txt")).isEmpty();
    assertThat(files.find("/dev/cluws/jetty/internal/secret.txt")).isEmpty();
    assertThat(files.find("console//console.css")).isEmpty();
    assertThat(files.find("./console/console.css")).isEmpty();
  }

  @Test
  void foldersHiddenFilesAndUnknownTypesAreNotFound() {
    assertThat(files.find("console")).isEmpty();
    assertThat(files.find("console/")).isEmpty();
    assertThat(files.find("console/sub")).isEmpty();
    assertThat(files.find("console/README")).isEmpty();
    assertThat(files.find("console/.hidden.js")).isEmpty();
    assertThat(files.find("")).isEmpty();
  }
}
