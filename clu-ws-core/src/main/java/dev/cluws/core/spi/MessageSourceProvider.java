package dev.cluws.core.spi;

/**
 * Creates {@link MessageSource}s; found with {@link java.util.ServiceLoader}. A provider has a
 * public no-argument constructor that does no I/O.
 */
public interface MessageSourceProvider extends PluginProvider {
  /**
   * The name configuration selects this provider by, e.g. {@code "amqp"} (see {@link
   * PluginProvider#name()} for what a name may be).
   */
  @Override
  String name();

  /** Creates a source; opens no connection before {@link MessageSource#start}. */
  MessageSource create(ProviderContext context);
}
