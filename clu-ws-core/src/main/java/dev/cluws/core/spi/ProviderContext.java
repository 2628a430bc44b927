package dev.cluws.core.spi;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.util.Optional;

/**
 * The narrow view of the gateway a {@link MessageSourceProvider} or {@link CommandSinkProvider}
 * receives: its name, the settings objects the application supplied, and JSON readers and writers.
 * Nothing in it is shared mutable state: a plugin cannot change the gateway through it.
 */
public interface ProviderContext {
  /**
   * The gateway's name: the replies queue is {@code <name>_replies} and commands carry {@code
   * commander_id = <name>.<consumer>}.
   */
  String gatewayName();

  /**
   * The settings object of the given type, if the application supplied one (for example {@code
   * AmqpSettings}); a provider falls back to its defaults otherwise.
   */
  <T> Optional<T> settings(Class<T> type);

  /**
   * The provider's own settings ({@link PluginProvider#settings()}) as the operator gave them when
   * the gateway started. Empty for a provider that declares none.
   */
  default PluginSettings pluginSettings() {
    return PluginSettings.empty();
  }

  /**
   * A JSON reader configured like the gateway's (see {@link JsonMappers}), e.g. to parse reply
   * bodies. Immutable and thread-safe, so a plugin may keep and share it; reconfiguring it ({@code
   * with(...)}) makes a new reader and changes nothing for anyone else. The gateway's own mapper is
   * never handed out.
   */
  default ObjectReader jsonReader() {
    return JsonMappers.newMapper().reader();
  }

  /**
   * A JSON writer configured like the gateway's (see {@link JsonMappers}), e.g. to write command
   * bodies. Immutable and thread-safe, like {@link #jsonReader()}.
   */
  default ObjectWriter jsonWriter() {
    return JsonMappers.newMapper().writer();
  }
}
