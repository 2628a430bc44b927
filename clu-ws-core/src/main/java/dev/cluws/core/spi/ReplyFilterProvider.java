package dev.cluws.core.spi;

/**
 * Creates {@link ReplyFilter}s for clients; found with {@link java.util.ServiceLoader}.
 *
 * <p>Finding is not enabling: a provider on the class path does nothing until a client's
 * subscription names it. A client selects a provider with a query parameter of the provider's
 * {@link #name()} (e.g. {@code ?actors=lvmecp,lvm*} selects the provider named {@code actors}) and
 * the provider reads that parameter's values from the {@link FilterContext}.
 *
 * <p>A provider has a public no-argument constructor that does no I/O. {@link #create} is called
 * once per client that selects the provider, on a server thread; it must be quick.
 */
public interface ReplyFilterProvider {
  /**
   * The provider's name: lower case letters, digits, {@code -} and {@code _}. Two providers with the
   * same name on one class path stop the gateway from starting.
   */
  String name();

  /**
   * Creates the filter for one client.
   *
   * @throws IllegalArgumentException with a message for the client when the parameter values are
   *     not valid (the gateway answers with an error frame and the client gets no such filter)
   */
  ReplyFilter create(FilterContext context);
}
