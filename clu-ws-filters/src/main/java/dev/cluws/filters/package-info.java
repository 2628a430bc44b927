/**
 * The reply filters that ship with clu-ws, found by the gateway through {@link
 * java.util.ServiceLoader} ({@code META-INF/services/dev.cluws.core.spi.ReplyFilterProvider}).
 *
 * <p>A filter does nothing until a client asks for it: a websocket client selects a filter with a
 * query parameter of the filter's name on its upgrade URL (or the same name in a {@code subscribe}
 * control frame). A client that names no filter receives every reply, exactly as with CLU's {@code
 * clu websocket} server.
 *
 * <h2>Parameters</h2>
 *
 * <ul>
 *   <li>{@code <name>=v1,v2} selects the filter and gives it values; the parameter may repeat and
 *       the values add up ({@code actors=a,b&actors=c} is {@code actors=a,b,c}); blanks around
 *       values are dropped.
 *   <li>{@code <name>.<option>=v} gives the filter an option. Of the built-in filters only {@code
 *       own} has one ({@code own.broadcasts}); any other option is refused.
 *   <li>Parameters combine with AND: a reply reaches the client only if every filter it selected
 *       lets it through, e.g. {@code ?actors=lvmecp&codes=:f} gives the completions and failures of
 *       lvmecp's commands.
 *   <li>A value a filter cannot read (an unknown message code, a wildcard inside a routing word,
 *       {@code own=maybe}...) makes the gateway refuse the subscription with a message that says
 *       what is wrong and what to write instead: at connect, an HTTP 400 with that reason; in a
 *       {@code subscribe} control frame, an {@code e} frame (the subscription is unchanged).
 * </ul>
 *
 * <h2>Frames the gateway originates, and snapshot frames</h2>
 *
 * <p>The gateway's own frames (errors, acknowledgements, answers to control frames, broker status)
 * never reach a filter: the gateway's filter chain lets them through unchanged, so a client never
 * misses the answer to its own mistake. Which frames are the gateway's is recorded where the
 * gateway makes them, never read from a frame's headers: a reply from the broker that names the
 * gateway as its {@code sender} is an actor's reply, and filters treat it as one.
 *
 * <p>Snapshot frames ({@code Reply.snapshot()}, marked with the header {@code "snapshot": true}:
 * one per actor, code {@code i}, no command, no routing key, the latest value of each keyword as
 * the body) pass {@code codes}, {@code own} and {@code routing}, which are about live traffic, and
 * are subject to {@code actors}, {@code keywords} (which trims them) and {@code internal} (they are
 * never internal). So {@code ?actors=lvmecp&keywords=dome_status&codes=:f&snapshot=true} starts
 * with lvmecp's latest {@code dome_status}, then only completions carrying it.
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
 * like CLU's routing keys. A value with any other character, or the parameter without any value,
 * makes the gateway refuse the subscription with an error that says why.
 *
 * <h2>{@code codes}: only some message codes</h2>
 *
 * {@link dev.cluws.filters.CodeFilterProvider} ({@code ?codes=...}) lets through only the replies
 * whose {@code message_code} is one of the given CLU codes: {@code >} running, {@code :} done,
 * {@code f} failed, {@code e} error, {@code !} critical, {@code i} info, {@code w} warning, {@code
 * d} debug. The values are one string of code characters, however they are split:
 *
 * <pre>
 * ws://host:9876/?codes=:f                    completions and failures only
 * ws://host:9876/?codes=:,f                   the same
 * ws://host:9876/?codes=%3E:fewi!             everything but debug ({@code %3E} is {@code >})
 * </pre>
 *
 * <p>Codes are case-sensitive ({@code F} is not a code). A reply without a valid code is dropped.
 *
 * <h2>{@code own}: only replies to this connection's commands</h2>
 *
 * {@link dev.cluws.filters.OwnFilterProvider} ({@code ?own=true}) lets through only the replies to
 * the commands this connection sent, from the first ({@code >}) to the final one ({@code :} or
 * {@code f}), not those to other clients' commands. The gateway remembers a bounded number of each
 * client's unfinished commands for a bounded time; a command older than that is forgotten, and its
 * late replies no longer count as the client's own.
 *
 * <pre>
 * ws://host:9876/?own=true                        replies to my commands only
 * ws://host:9876/?own=true&amp;own.broadcasts=true    and broadcasts
 * ws://host:9876/?own.broadcasts=true             the same (own without value is own=true)
 * ws://host:9876/?own=false                       every reply (turns the filter off)
 * </pre>
 *
 * <p>A broadcast is a reply without {@code command_id} or one published on the routing key {@code
 * reply.broadcast}. Values are {@code true} or {@code false} (any case), one of each at most;
 * {@code own.broadcasts=true} with {@code own=false} is refused as contradictory.
 *
 * <h2>{@code internal}: without internal replies</h2>
 *
 * {@link dev.cluws.filters.InternalFilterProvider} ({@code ?internal=false}) drops the replies
 * whose {@code internal} header is {@code true}: the {@code >} that starts a CLU command such as
 * {@code ping}, and replies to the commands actors send each other. {@code internal=true} keeps
 * them (as without the parameter). The parameter needs a value.
 *
 * <pre>
 * ws://host:9876/?internal=false              no internal replies
 * </pre>
 *
 * <h2>{@code keywords}: only some keywords, bodies trimmed</h2>
 *
 * {@link dev.cluws.filters.KeywordFilterProvider} ({@code ?keywords=...}) lets through only the
 * replies whose body has at least one of the given keywords (top-level fields of the body), and
 * trims each body to those keywords, keeping the body's order. A body with only wanted keywords is
 * sent as it is.
 *
 * <pre>
 * ws://host:9876/?keywords=text               replies with a text, and only their text
 * ws://host:9876/?keywords=dome_status,text   {"dome_status": ..., "dome_status_labels": ...}
 *                                             arrives as {"dome_status": ...}
 * </pre>
 *
 * <p>Keywords are letters, digits, {@code _}, {@code .} and {@code -}, matched exactly and
 * case-sensitively (no wildcards). The gateway parses each reply body once for all clients; the
 * filter never parses it again nor changes it, and builds a new body only for a reply it trims.
 *
 * <h2>{@code routing}: AMQP topic patterns on the routing key</h2>
 *
 * {@link dev.cluws.filters.RoutingFilterProvider} ({@code ?routing=...}) lets through only the
 * replies whose routing key matches one of the patterns, as a RabbitMQ topic binding would: keys
 * and patterns are words separated by {@code .}; {@code *} matches exactly one word, {@code #} zero
 * or more words, any other word only itself (case-sensitively).
 *
 * <pre>
 * ws://host:9876/?routing=reply.broadcast         broadcasts only
 * ws://host:9876/?routing=reply.*.lvmecp          replies to commands whose commander is
 *                                                 &lt;client&gt;.lvmecp (one word before lvmecp)
 * ws://host:9876/?routing=reply.%23.lvmecp        any number of words before lvmecp (%23 is #)
 * </pre>
 *
 * <p>A wildcard must be a whole word: {@code re*ly} or {@code reply.#x} is refused. A pattern is at
 * most 255 bytes (AMQP's limit). Matching never backtracks, whatever the pattern.
 */
package dev.cluws.filters;
