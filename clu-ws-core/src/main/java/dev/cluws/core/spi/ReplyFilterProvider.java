package dev.cluws.core.spi;

/**
 * Creates {@link ReplyFilter}s for clients; found with {@link java.util.ServiceLoader}.
 *
 * <p>Finding is not enabling: a provider on the class path does nothing until a client's
 * subscription names it. A client selects a provider with a query parameter of the provider's
 * {@link #name()} (e.g. {@code ?actors=lvmecp,lvm*} selects the provider named {@code actors}) and
 * the provider reads that parameter's values from the {@link FilterContext}.
 *
 * <h2>How a client names a provider and gives it parameters</h2>
 *
 * <ul>
 *   <li>{@code <name>=v1,v2} selects the provider and gives it the values {@code [v1, v2]} ({@link
 *       FilterContext#values()}); the parameter may repeat, values add up in order.
 *   <li>{@code <name>.<option>=v} gives it the option {@code option} ({@link
 *       FilterContext#options()}); an option alone also selects the provider (with no values).
 *   <li>In a {@code subscribe} control frame the same names are the keys of {@code "filters"}.
 * </ul>
 *
 * <p>The names {@code since}, {@code seq}, {@code snapshot}, {@code acks} and {@code token} belong
 * to the gateway itself ({@code Gateway.RESERVED_PARAMETERS}); a provider with one of them is
 * skipped with a warning.
 *
 * <p>A provider has a public no-argument constructor that does no I/O. {@link #create} is called
 * once per client that selects the provider, on a server thread; it must be quick.
 */
public interface ReplyFilterProvider extends PluginProvider {
  /**
   * The provider's name, and so the query parameter that selects it: 1 to 64 characters, lower-case
   * letters, digits, {@code -} and {@code _}, and none of the gateway's own parameter names. A
   * provider with another name is skipped with a warning; two providers with the same name on one
   * class path stop the gateway from starting.
   */
  @Override
  String name();

  /**
   * Creates the filter for one client.
   *
   * @throws IllegalArgumentException with a message for the client when the parameter values are
   *     not valid (the gateway answers with an error frame and the client gets no such filter)
   */
  ReplyFilter create(FilterContext context);
}
