/**
 * An example third-party filter plugin for clu-ws: {@code match}, replies whose keyword values
 * contain a text. It is built as its own jar that depends on {@code clu-ws-core} only, and a
 * gateway uses it when the jar is on its class path (for the {@code clu-ws} command: in the
 * distribution's {@code plugins/} directory). See {@code docs/plugins.md}, the plugin author's
 * guide, which walks through this module.
 *
 * <h2>Parameters</h2>
 *
 * <pre>
 * ws://host:9876/?match=open                        replies with "open" (any case) in a value
 * ws://host:9876/?match=open,closed                 with "open" or "closed"
 * ws://host:9876/?match=open&amp;match.keyword=dome    with "open" in the value of the keyword dome
 * ws://host:9876/?match=42&amp;match.keyword=status_word,mode
 * </pre>
 *
 * <p>A value is searched as JSON gives it: a string's text, a number or boolean as written ({@code
 * 42}, {@code 1.5}, {@code true}), and the elements of lists and objects (up to 16 levels deep).
 * Keyword names are not searched, and a reply whose body is not an object has no keywords, so it
 * never matches. Frames the gateway itself sends (errors, broker status) never reach the filter
 * (the gateway lets them through); snapshot frames pass when one of their keywords matches. Texts
 * are split at commas, so a text cannot contain one.
 *
 * <h2>Setting</h2>
 *
 * <p>The operator may change how many texts a client may give (default {@value
 * dev.cluws.example.match.MatchFilterProvider#MAX_TEXTS}, 1 to {@value
 * dev.cluws.example.match.MatchFilterProvider#MAX_TEXTS_LIMIT}): {@code clu-ws
 * --filter.match.max-texts=4}, the environment variable {@code CLU_WS_FILTER_MATCH_MAX_TEXTS=4}, or
 * {@code filter.match.max-texts = 4} in the config file. A value that is not an integer in that
 * range stops {@code clu-ws} at start with one line and exit status 2.
 *
 * <p>The gateway refuses the client (HTTP 400, or an {@code e} frame for a {@code subscribe}
 * control frame) with a message that says why when no text is given, when there are more texts than
 * that setting allows or one longer than {@value
 * dev.cluws.example.match.MatchFilterProvider#MAX_TEXT_LENGTH} characters, for {@code
 * match.keyword} without a keyword name or with a name that has a character other than letters,
 * digits, {@code _}, {@code .} and {@code -}, and for any other option.
 */
package dev.cluws.example.match;
