package dev.cluws.core.spi;

/**
 * Creates {@link CommandSink}s; found with {@link java.util.ServiceLoader}. A provider has a public
 * no-argument constructor that does no I/O.
 */
public interface CommandSinkProvider extends PluginProvider {
  /**
   * The name configuration selects this provider by, e.g. {@code "amqp"} (see {@link
   * PluginProvider#name()} for what a name may be).
   */
  @Override
  String name();

  /** Creates a sink; opens no connection before {@link CommandSink#start}. */
  CommandSink create(ProviderContext context);
}
