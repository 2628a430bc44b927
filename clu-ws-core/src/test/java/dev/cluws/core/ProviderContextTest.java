package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.core.spi.CommandSink;
import dev.cluws.core.spi.CommandSinkProvider;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.MessageSource;
import dev.cluws.core.spi.MessageSourceProvider;
import dev.cluws.core.spi.PluginSetting;
import dev.cluws.core.spi.ProviderContext;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a source or sink provider gets from the gateway: readers and writers configured like the
 * gateway's, and nothing through which it could change the gateway for everyone.
 */
class ProviderContextTest {
  /** The context the last provider created was given. */
  static final AtomicReference<ProviderContext> GIVEN = new AtomicReference<>();

  @TempDir Path classes;
  private URLClassLoader loader;

  public static class CapturingSourceProvider implements MessageSourceProvider {
    @Override
    public String name() {
      return "capturing";
    }

    @Override
    public List<PluginSetting> settings() {
      return List.of(PluginSetting.string("label", "none", "A label for the source."));
    }

    @Override
    public MessageSource create(ProviderContext context) {
      GIVEN.set(context);
      return new InMemorySource(new ArrayList<>());
    }
  }

  public static class InMemorySinkProvider implements CommandSinkProvider {
    @Override
    public String name() {
      return "in-memory";
    }

    @Override
    public CommandSink create(ProviderContext context) {
      return new ControllableSink(new ArrayList<>());
    }
  }

  @AfterEach
  void release() throws IOException {
    GIVEN.set(null);
    if (loader != null) {
      loader.close();
    }
  }

  private ProviderContext contextOfAGateway(JsonMapper gatewayMapper) throws IOException {
    return contextOfAGateway(gatewayMapper, PluginConfiguration.empty());
  }

  private ProviderContext contextOfAGateway(JsonMapper gatewayMapper, PluginConfiguration plugins)
      throws IOException {
    Path services = Files.createDirectories(classes.resolve("META-INF/services"));
    Files.writeString(
        services.resolve(MessageSourceProvider.class.getName()),
        CapturingSourceProvider.class.getName() + "\n",
        StandardCharsets.UTF_8);
    Files.writeString(
        services.resolve(CommandSinkProvider.class.getName()),
        InMemorySinkProvider.class.getName() + "\n",
        StandardCharsets.UTF_8);
    loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
    Gateway.Builder builder = Gateway.builder().classLoader(loader).pluginConfiguration(plugins);
    if (gatewayMapper != null) {
      builder.mapper(gatewayMapper);
    }
    try (Gateway gateway = builder.build()) {
      assertThat(gateway.name()).isNotBlank();
    }
    assertThat(GIVEN.get()).as("the context the source provider was given").isNotNull();
    return GIVEN.get();
  }

  @Test
  void aSourceProviderGetsTheSettingsTheOperatorGaveIt() throws IOException {
    ProviderContext context =
        contextOfAGateway(
            null,
            PluginConfiguration.builder()
                .set(PluginConfiguration.Kind.SOURCE, "capturing", "label", "east", "test")
                .build());

    assertThat(context.pluginSettings().getString("label")).isEqualTo("east");
  }

  @Test
  void aSettingForASinkThatDoesNotExistStopsTheGatewayBeforeAnyProviderCreatesAnything() {
    PluginConfiguration wrong =
        PluginConfiguration.builder()
            .set(
                PluginConfiguration.Kind.SINK,
                "capturing",
                "label",
                "east",
                "--sink.capturing.label")
            .build();

    assertThatThrownBy(() -> contextOfAGateway(null, wrong))
        .isInstanceOf(PluginConfiguration.InvalidSettingException.class)
        .hasMessage(
            "--sink.capturing.label: there is no sink named 'capturing' (installed: in-memory)");
    assertThat(GIVEN.get()).as("no source was created").isNull();
  }

  @Test
  void theProviderContextHandsOutNoMapper() {
    List<Class<?>> returned =
        Arrays.stream(ProviderContext.class.getMethods()).map(Method::getReturnType).toList();

    assertThat(returned).noneMatch(ObjectMapper.class::isAssignableFrom);
  }

  @Test
  void aProvidersReaderAndWriterWorkLikeTheGatewaysOwn() throws IOException {
    ProviderContext context = contextOfAGateway(null);
    String emoji = "\uD83D\uDD2D telescope";

    JsonNode parsed = context.jsonReader().readTree("{\"text\": \"" + emoji + "\"}");
    byte[] written = context.jsonWriter().writeValueAsBytes(Map.of("text", emoji));

    assertThat(parsed.path("text").textValue()).isEqualTo(emoji);
    assertThat(written)
        .as("characters outside the BMP as raw UTF-8, like the gateway's frames")
        .isEqualTo(JsonMappers.newMapper().writeValueAsBytes(Map.of("text", emoji)))
        .isEqualTo(("{\"text\":\"" + emoji + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void reconfiguringTheWriterAProviderWasGivenChangesNothingForTheGateway() throws IOException {
    JsonMapper gatewayMapper = JsonMappers.newMapper();
    ProviderContext context = contextOfAGateway(gatewayMapper);

    context.jsonWriter().with(SerializationFeature.INDENT_OUTPUT);
    context.jsonReader().withRootName("hijacked");

    assertThat(gatewayMapper.writeValueAsString(Map.of("a", 1))).isEqualTo("{\"a\":1}");
    assertThat(context.jsonWriter().writeValueAsString(Map.of("a", 1))).isEqualTo("{\"a\":1}");
    assertThat(gatewayMapper.isEnabled(SerializationFeature.INDENT_OUTPUT)).isFalse();
  }

  @Test
  void aContextThatDoesNotOverrideTheReadersGivesReadersLikeTheGateways() throws IOException {
    ProviderContext minimal =
        new ProviderContext() {
          @Override
          public String gatewayName() {
            return "gw";
          }

          @Override
          public <T> Optional<T> settings(Class<T> type) {
            return Optional.empty();
          }
        };

    assertThat(minimal.jsonWriter().writeValueAsString(Map.of("text", "\uD83D\uDD2D")))
        .isEqualTo("{\"text\":\"\uD83D\uDD2D\"}");
    assertThat(minimal.jsonReader().readTree("[1]").size()).isEqualTo(1);
  }
}
