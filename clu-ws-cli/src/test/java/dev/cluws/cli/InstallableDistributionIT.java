package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.GatewaySettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What an operator installs: {@code target/clu-ws-<version>.tar.gz} and the same folder {@code
 * target/clu-ws}, with the sample configuration, log configuration, service unit, man page, bash
 * completion, license and changelog.
 */
class InstallableDistributionIT {
  private static final Path FOLDER = Path.of("target", "clu-ws");

  @TempDir Path temp;

  private static Path archive() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      List<Path> archives =
          files.filter(p -> p.getFileName().toString().matches("clu-ws-.+\\.tar\\.gz")).toList();
      assertThat(archives).as("target/clu-ws-<version>.tar.gz").hasSize(1);
      return archives.get(0);
    }
  }

  /** Runs a command to its end; returns its exit status and output (stdout and stderr). */
  private static Run run(Path directory, String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s ends", command[0]).isTrue();
    return new Run(process.exitValue(), output);
  }

  private record Run(int status, String output) {}

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void theArchiveUnpacksToOneFolderWithEverythingAnOperatorNeedsAndItsCommandRuns()
      throws Exception {
    Run untar = run(temp, "tar", "-xzf", archive().toAbsolutePath().toString());
    assertThat(untar.status()).as(untar.output()).isZero();
    List<Path> top;
    try (Stream<Path> files = Files.list(temp)) {
      top = files.toList();
    }
    assertThat(top).hasSize(1);
    Path home = top.get(0);
    assertThat(home.getFileName().toString()).startsWith("clu-ws-");

    for (String file :
        List.of(
            "bin/clu-ws",
            "etc/clu-ws.properties",
            "etc/logback.xml",
            "etc/clu-ws.service",
            "man/man1/clu-ws.1",
            "completion/clu-ws.bash",
            "plugins/README.txt",
            "LICENSE",
            "CHANGELOG.md")) {
      assertThat(home.resolve(file)).as(file).isRegularFile();
    }
    assertThat(Files.getPosixFilePermissions(home.resolve("bin/clu-ws")))
        .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
    assertThat(Files.readString(home.resolve("LICENSE"))).startsWith("BSD 3-Clause License");
    try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
      assertThat(jars.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("clu-ws-cli"))
          .anyMatch(n -> n.startsWith("clu-ws-broker"))
          .anyMatch(n -> n.startsWith("qpid-broker-core"));
    }

    Run version = run(home, home.resolve("bin/clu-ws").toString(), "--version");
    assertThat(version.status()).as(version.output()).isZero();
    assertThat(version.output()).startsWith("clu-ws ");
  }

  @Test
  void theLogConfigurationIsAFileOfTheDistributionNotPartOfTheJar() throws IOException {
    Path jar;
    try (Stream<Path> jars = Files.list(FOLDER.resolve("lib"))) {
      jar = jars.filter(p -> p.getFileName().toString().startsWith("clu-ws-cli")).findFirst().get();
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      assertThat(file.getEntry("logback.xml")).isNull();
    }
    assertThat(Files.readString(FOLDER.resolve("etc/logback.xml")))
        .contains("CLU_WS_LOG_LEVEL", "org.apache.qpid");
    assertThat(Files.readString(FOLDER.resolve("bin/clu-ws"))).contains("\"$BASEDIR\"/etc:");
  }

  @Test
  void theSampleConfigurationListsEveryOptionWithItsDefaultAsTheOptionsSayNow() throws IOException {
    String shipped = Files.readString(FOLDER.resolve(DistributionFiles.PROPERTIES));

    assertThat(shipped)
        .as("etc/clu-ws.properties is made from the options at build time")
        .isEqualTo(DistributionFiles.properties());
    for (OptionSpec option : DistributionFiles.commandLine().getCommandSpec().options()) {
      if (option.usageHelp() || option.versionHelp() || option.longestName().equals("--config")) {
        continue;
      }
      assertThat(shipped).contains("\n#" + ConfigDefaults.key(option) + " =");
    }
    assertThat(shipped)
        .contains("#port = 9876", "#command-rate = 50\n", "#exchange = sdss_exchange");
  }

  @Test
  void theSampleConfigurationWithEveryDefaultUncommentedIsReadAsTheDefaults() throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(FOLDER.resolve(DistributionFiles.PROPERTIES))) {
      boolean setting = line.matches("#[a-z][a-z0-9-]* = .+");
      lines.add(setting ? line.substring(1) : line);
    }
    Path config = temp.resolve("clu-ws.properties");
    Files.write(config, lines);
    assertThat(lines).filteredOn(l -> l.startsWith("port = ")).hasSize(1);

    CluWsCommand fromFile = new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 0);
    CommandLine commandLine = new CommandLine(fromFile);
    String[] args = {"--config", config.toString()};
    ConfigDefaults.install(commandLine, Map.of(), args);
    commandLine.parseArgs(args);
    CluWsCommand plain = new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 0);
    new CommandLine(plain).parseArgs();

    assertThat(fromFile.serverSettings()).isEqualTo(plain.serverSettings());
    assertThat(fromFile.amqpSettings()).isEqualTo(plain.amqpSettings());
    GatewaySettings limits = fromFile.gatewaySettings();
    assertThat(limits.commandsPerSecond()).isEqualTo(GatewaySettings.DEFAULT_COMMANDS_PER_SECOND);
    assertThat(limits.maxConnections()).isEqualTo(GatewaySettings.DEFAULT_MAX_CONNECTIONS);
    assertThat(fromFile.processSettings()).isEqualTo(plain.processSettings());
  }

  @Test
  void theServiceUnitPassesSystemdAnalyzeVerify() throws Exception {
    if (!onPath("systemd-analyze")) {
      VisibleSkip.skip(
          "systemd-analyze is not installed (Debian package systemd; .ci/run installs it)");
    }
    Path home = FOLDER.toAbsolutePath();
    String unit = Files.readString(home.resolve("etc/clu-ws.service"));
    assertThat(unit)
        .contains("User=clu-ws", "SuccessExitStatus=143", "Restart=on-failure")
        .contains(
            "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes")
        .contains("ExecStart=/opt/clu-ws/bin/clu-ws");
    // As installed, with the distribution where this build put it instead of /opt/clu-ws.
    Path installed = temp.resolve("clu-ws.service");
    Files.writeString(installed, unit.replace("/opt/clu-ws/", home + "/"));

    Run verify = run(temp, "systemd-analyze", "verify", installed.toString());

    assertThat(verify.status()).as(verify.output()).isZero();
    assertThat(verify.output()).as(verify.output()).doesNotContain("clu-ws.service:");
  }

  @Test
  void theManPageDescribesEveryOptionAndRendersWithoutWarnings() throws Exception {
    Path page = FOLDER.resolve(DistributionFiles.MAN_PAGE).toAbsolutePath();
    String roff = Files.readString(page);
    assertThat(roff).isEqualTo(DistributionFiles.manPage());
    for (OptionSpec option : DistributionFiles.commandLine().getCommandSpec().options()) {
      assertThat(roff).contains("\\fB" + DistributionFiles.roff(option.longestName()) + "\\fR");
    }
    if (!onPath("groff")) {
      VisibleSkip.skip(
          "groff is not installed (Debian package groff-base): the man page is not rendered");
    }

    Run render = run(temp, "groff", "-man", "-Tutf8", "-ww", "-z", page.toString());

    assertThat(render.status()).isZero();
    assertThat(render.output()).as("groff warnings").isEmpty();
  }

  @Test
  void bashCompletesTheOptionsFromTheShippedCompletionScript() throws Exception {
    Path script = FOLDER.resolve(DistributionFiles.COMPLETION).toAbsolutePath();
    assertThat(Files.readString(script)).isEqualTo(DistributionFiles.completion());

    Run complete =
        run(
            temp,
            "bash",
            "-c",
            "source '"
                + script
                + "' && COMP_WORDS=(clu-ws --rabbitmq-h) && COMP_CWORD=1"
                + " && _picocli_clu-ws && printf '%s\\n' \"${COMPREPLY[@]}\"");

    assertThat(complete.status()).as(complete.output()).isZero();
    assertThat(complete.output().lines()).contains("--rabbitmq-host");
  }
}
