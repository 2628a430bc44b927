/**
 * The reply filters that ship with clu-ws, found by the gateway through {@link
 * java.util.ServiceLoader} ({@code META-INF/services/dev.cluws.core.spi.ReplyFilterProvider}).
 *
 * <p>A filter does nothing until a client asks for it: a websocket client selects a filter with a
 * query parameter of the filter's name on its upgrade URL. A client that names no filter receives
 * every reply, exactly as with CLU's {@code clu websocket} server.
 *
 * <h2>{@code actors}: only replies from some actors</h2>
 *
 * {@link dev.cluws.filters.ActorFilterProvider} ({@code ?actors=...}) lets through only the replies
 * whose {@code sender} header is one of the given actors:
 *
 * <pre>
 * ws://host:9876/?actors=lvmecp               replies from lvmecp only
 * ws://host:9876/?actors=lvmecp,lvmnps        from lvmecp or lvmnps
 * ws://host:9876/?actors=lvm*&amp;actors=jaeger   from jaeger and every actor named lvm...
 * </pre>
 *
 * <p>Values are actor names made of letters, digits, {@code _}, {@code .} and {@code -}, in which
 * {@code *} stands for any run of characters (also none). Matching is exact and case-sensitive,
 * like CLU's routing keys. Frames the gateway itself sends (errors, status) always pass. A value
 * with any other character, or the parameter without any value, makes the gateway refuse the
 * subscription with an error that says why.
 */
package dev.cluws.filters;
