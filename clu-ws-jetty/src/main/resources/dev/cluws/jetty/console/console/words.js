// The console's connection state in words: why a connection closed (the client's describeClose,
// without the code) and what the client does next. Pure functions, so the browser test can check
// them.
import { describeClose } from '../clu-ws.js';

/** Why a connection closed, in words; `opened`: whether the connection had been open. */
function closeWords(detail, { opened = true } = {}) {
  return describeClose(detail ?? {}, { opened, withCode: false });
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
