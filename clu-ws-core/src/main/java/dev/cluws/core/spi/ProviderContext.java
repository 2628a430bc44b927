package dev.cluws.core.spi;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Optional;

/**
 * The narrow view of the gateway a {@link MessageSourceProvider} or {@link CommandSinkProvider}
 * receives: its name and the settings objects the application supplied.
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

  /** The gateway's shared JSON mapper (see {@link JsonMappers}). */
  JsonMapper mapper();
}
