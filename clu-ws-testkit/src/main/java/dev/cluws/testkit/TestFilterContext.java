package dev.cluws.testkit;

import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.FilterParameters;
import dev.cluws.core.spi.PluginSettings;
import dev.cluws.core.spi.Reply;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link FilterContext} a gateway gives a provider, built from the parameters a client writes
 * in its upgrade URL, for plugin tests.
 *
 * <p>{@link #of(String, String)} reads the parameters the way the gateway does: {@code
 * TestFilterContext.of("match", "match=open,closed&match.keyword=text")} gives the provider named
 * {@code match} the values {@code [open, closed]} and the options {@code {keyword=[text]}}. The
 * other parts of the context have fixed values that the {@code with...} methods change: the client
 * id {@code kit-client-1}, the gateway {@link #GATEWAY_NAME}, an anonymous identity from {@code
 * 127.0.0.1}, no commands of the client's own, and no plugin settings. Instances are immutable;
 * their lists and maps cannot be changed (a provider that tries fails, as it would in the gateway).
 */
public final class TestFilterContext implements FilterContext {
  /**
   * The gateway's name in every test context: the {@code sender} of the frames the gateway makes
   * (which filters never see), and one an actor's reply may claim.
   */
  public static final String GATEWAY_NAME = "clu-ws-0123456789ab";

  private final String clientId;
  private final List<String> values;
  private final Map<String, List<String>> options;
  private final ClientIdentity identity;
  private final Set<String> ownCommands;
  private final PluginSettings settings;

  private TestFilterContext(
      String clientId,
      List<String> values,
      Map<String, List<String>> options,
      ClientIdentity identity,
      Set<String> ownCommands,
      PluginSettings settings) {
    this.clientId = clientId;
    this.values = values;
    this.options = options;
    this.identity = identity;
    this.ownCommands = ownCommands;
    this.settings = settings;
  }

  /**
   * The context of a client that connected with these query parameters (the part of the URL after
   * {@code ?}): {@code <name>=v1,v2} gives values, {@code <name>.<option>=v} gives an option; a
   * parameter may repeat (its values add up, in order); comma-separated lists are split, blanks
   * dropped, percent-escapes decoded; {@code <name>} alone or {@code <name>=} gives no value. An
   * empty string is a client that selected the provider with no values and no options.
   *
   * @param providerName the name of the provider the parameters are for
   * @param parameters e.g. {@code "match=open&match.keyword=text"}
   * @throws IllegalArgumentException when a parameter is for another provider
   */
  public static TestFilterContext of(String providerName, String parameters) {
    Objects.requireNonNull(providerName, "providerName");
    Objects.requireNonNull(parameters, "parameters");
    String optionPrefix = providerName + ".";
    List<String> rawValues = new ArrayList<>();
    Map<String, List<String>> rawOptions = new LinkedHashMap<>();
    for (String parameter : parameters.split("&", -1)) {
      if (parameter.isEmpty()) {
        continue;
      }
      int equals = parameter.indexOf('=');
      String key = decode(equals < 0 ? parameter : parameter.substring(0, equals));
      String value = equals < 0 ? "" : decode(parameter.substring(equals + 1));
      if (key.equals(providerName)) {
        rawValues.add(value);
      } else if (FilterParameters.providerName(key).equals(providerName)
          && key.length() > optionPrefix.length()) {
        rawOptions
            .computeIfAbsent(key.substring(optionPrefix.length()), k -> new ArrayList<>())
            .add(value);
      } else {
        throw new IllegalArgumentException(
            String.format(
                "the parameter '%s' in \"%s\" is not for the provider '%s' (write %s=... or"
                    + " %s<option>=...)",
                key, parameters, providerName, providerName, optionPrefix));
      }
    }
    // Values split as the gateway splits them (the spi's FilterParameters, its own code).
    Map<String, List<String>> options = new LinkedHashMap<>();
    rawOptions.forEach((option, raw) -> options.put(option, FilterParameters.values(raw)));
    return new TestFilterContext(
        "kit-client-1",
        FilterParameters.values(rawValues),
        Collections.unmodifiableMap(options),
        ClientIdentity.anonymous("127.0.0.1"),
        Set.of(),
        PluginSettings.empty());
  }

  /** The same context for another client id (ids are unique among a gateway's clients). */
  public TestFilterContext withClientId(String clientId) {
    return new TestFilterContext(
        Objects.requireNonNull(clientId, "clientId"),
        values,
        options,
        identity,
        ownCommands,
        settings);
  }

  /** The same context for a client with this identity (e.g. an authenticated subject). */
  public TestFilterContext withIdentity(ClientIdentity identity) {
    return new TestFilterContext(
        clientId,
        values,
        options,
        Objects.requireNonNull(identity, "identity"),
        ownCommands,
        settings);
  }

  /**
   * The same context for a client that sent the commands with these ids and has not yet seen their
   * final reply, to any actor ({@link #isOwnReply(Reply)}).
   */
  public TestFilterContext withOwnCommands(String... commandIds) {
    return new TestFilterContext(clientId, values, options, identity, Set.of(commandIds), settings);
  }

  /**
   * The same context in a gateway whose operator gave the provider these settings ({@link
   * #pluginSettings()}); build them with {@code PluginSettings.of(provider.settings(),
   * Map.of(...))} to check them as the gateway does.
   */
  public TestFilterContext withSettings(PluginSettings pluginSettings) {
    return new TestFilterContext(
        clientId,
        values,
        options,
        identity,
        ownCommands,
        Objects.requireNonNull(pluginSettings, "pluginSettings"));
  }

  @Override
  public String clientId() {
    return clientId;
  }

  @Override
  public List<String> values() {
    return values;
  }

  @Override
  public String gatewayName() {
    return GATEWAY_NAME;
  }

  @Override
  public ClientIdentity identity() {
    return identity;
  }

  @Override
  public Map<String, List<String>> options() {
    return options;
  }

  @Override
  public PluginSettings pluginSettings() {
    return settings;
  }

  @Override
  public boolean isOwnReply(Reply reply) {
    String commandId = reply.commandId();
    return commandId != null && ownCommands.contains(commandId);
  }

  @Override
  public String toString() {
    return "client " + clientId + " with values " + values + " and options " + options;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
