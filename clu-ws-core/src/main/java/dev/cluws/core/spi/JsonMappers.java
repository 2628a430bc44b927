package dev.cluws.core.spi;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * How clu-ws configures Jackson. A gateway builds one mapper for itself and gives plugins only
 * immutable readers and writers made from it ({@link ProviderContext#jsonReader()}, {@link
 * ProviderContext#jsonWriter()}); this factory keeps the configuration in one place. A plugin that
 * wants a mapper of its own makes one here.
 */
public final class JsonMappers {
  private JsonMappers() {}

  /**
   * A new mapper configured for CLU frames: characters outside the Basic Multilingual Plane (emoji)
   * are written as raw UTF-8 like every other character, not as escaped surrogate pairs.
   */
  public static JsonMapper newMapper() {
    return JsonMapper.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();
  }
}
