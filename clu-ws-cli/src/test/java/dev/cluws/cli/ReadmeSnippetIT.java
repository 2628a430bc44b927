package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.amqp.AmqpSettings;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library example in the README compiles, starts a real gateway, serves a CLU client. */
class ReadmeSnippetIT {
  private static final Pattern SNIPPET =
      Pattern.compile(
          "<!-- snippet:embedded-gateway[^>]*-->\\s*```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void theReadmeLibraryExampleCompilesAndServesACluClient(@TempDir Path dir) throws Exception {
    String source = readmeSnippet();
    Path file = dir.resolve("EmbeddedGateway.java");
    Files.writeString(file, source);
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    int status =
        compiler.run(
            null,
            null,
            null,
            "-d",
            dir.toString(),
            "-classpath",
            System.getProperty("java.class.path"),
            file.toString());
    assertThat(status).as("javac exit status").isZero();

    AmqpSettings broker = GatewayFixture.amqpSettings();
    ServerSettings web = ServerSettings.defaults().withHost("127.0.0.1").withPort(0);
    try (URLClassLoader loader =
            new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
        CluTestActor actor = CluTestActor.start(broker.exchange(), TestBroker.uniqueName("a"))) {
      Class<?> example = loader.loadClass("EmbeddedGateway");
      Method start = example.getDeclaredMethod("start", AmqpSettings.class, ServerSettings.class);
      start.setAccessible(true);
      try (WebsocketServer server = (WebsocketServer) start.invoke(null, broker, web);
          WsClient client = WsClient.connect(server.uri())) {
        client.send(
            "{\"consumer\": \""
                + actor.name()
                + "\", \"command_string\": \"ping\","
                + " \"command_id\": \"readme\"}");
        List<?> replies = client.awaitFinished("readme");
        assertThat(replies).hasSize(2);
      }
    }
  }

  private static String readmeSnippet() throws IOException {
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    Matcher matcher = SNIPPET.matcher(text);
    assertThat(matcher.find()).as("README has the embedded-gateway snippet").isTrue();
    return matcher.group(1);
  }
}
