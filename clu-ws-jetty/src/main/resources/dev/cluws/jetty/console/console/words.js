// The console's connection state in words: why a connection closed (from its close code and
// reason) and what the client does next. Pure functions, so the browser test can check them.

/** Close codes the gateway, a proxy or the browser use, in words (RFC 6455 and clu-ws's 4xxx). */
const CLOSE_WORDS = {
  1000: 'the gateway closed the connection',
  1001: 'the gateway is going away',
  1002: 'the gateway saw a protocol error',
  1003: 'the gateway refused a frame it cannot take',
  1005: 'the connection closed without a reason',
  1006: 'the connection was lost',
  1007: 'the gateway refused a frame that is not UTF-8',
  1008: 'the gateway closed the connection (policy)',
  1009: 'a frame was too large for the gateway',
  1010: 'the gateway lacks an extension the browser needs',
  1011: 'the gateway hit an unexpected condition',
  1012: 'the gateway is restarting',
  1013: 'the gateway is overloaded; try again later',
  1014: 'a proxy got a bad answer from the gateway',
  1015: 'the TLS handshake failed',
  4001: 'the gateway closed the connection because this page did not read replies fast enough',
};

/**
 * Why a connection closed, in words: `{code, reason}` as the client reports it; `opened` tells
 * whether the connection had been open (a 1006 before that means the gateway could not be
 * reached).
 */
export function closeWords({ code, reason } = {}, { opened = true } = {}) {
  const why = typeof reason === 'string' ? reason.trim() : '';
  if (code === 1006 || code === undefined || code === null) {
    if (!opened) return 'could not reach the gateway';
    return why && why !== 'the connection failed' ? `the connection was lost: ${why}` : 'the connection was lost';
  }
  if (code === 1001 || code === 1000) {
    return why ? `the gateway closed the connection: ${why}` : CLOSE_WORDS[code];
  }
  if (code === 4001) {
    // The reason carries the resume point ("too slow; seq=…; message_id=…"), not for people.
    return CLOSE_WORDS[4001];
  }
  const words = CLOSE_WORDS[code]
    ?? (code >= 4000 ? `the gateway closed the connection (code ${code})` : `the connection closed (code ${code})`);
  return why ? `${words}: ${why}` : words;
}

/** "4 s", "1 min 5 s": a delay in whole seconds, rounded up, for people. */
export function seconds(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
}

/**
 * The connection state line: `state` and `detail` as the client reports them (see clu-ws.js
 * onState), `where` the gateway's host, `remaining` the ms left before the next attempt (when
 * reconnecting), `opened` whether the connection that just closed had been open.
 */
export function stateText(state, detail = {}, { where = 'the gateway', remaining, opened = true } = {}) {
  switch (state) {
    case 'open':
      return `connected to ${where}`;
    case 'connecting':
      return detail?.attempt ? `connecting to ${where} (attempt ${detail.attempt + 1})…` : `connecting to ${where}…`;
    case 'reconnecting': {
      const left = remaining ?? detail?.delay ?? 0;
      return `reconnecting in ${seconds(left)} (${closeWords(detail, { opened })})`;
    }
    case 'closed':
      return detail?.code === 1000 && detail?.reason === 'client closed'
        ? 'disconnected'
        : `disconnected (${closeWords(detail, { opened })}); reload the page to connect again`;
    default:
      return String(state);
  }
}
