// The clu-ws web console: a live stream of replies, filters, a command box whose commands show
// as cards, and the state view (the latest value of every actor's keywords). Uses the gateway's
// JavaScript client, served beside this page at /clu-ws.js.
import { connect, isGatewayFrame, newCommandId } from '../clu-ws.js';
import { StateView } from './state.js';
import { stateText } from './words.js';

const CODE_NAMES = {
  '>': 'running', ':': 'done', f: 'failed', e: 'error', '!': 'critical', i: 'info', w: 'warning', d: 'debug',
};
const CODE_CLASS = {
  '>': 'c-run', ':': 'c-done', f: 'c-fail', e: 'c-error', '!': 'c-crit', i: 'c-info', w: 'c-warn', d: 'c-debug',
};
const MAX_CARDS = 100; // command cards kept
const COMMAND_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_CARD_REPLIES = 200; // replies shown under one card
const HISTORY_SIZE = 100;
const HISTORY_KEY = 'clu-ws.console.history';
const MAX_SENDER_CH = 24; // the sender column grows to the longest name seen, up to this

const $ = (id) => document.getElementById(id);
const el = {
  connection: $('connection'),
  connectionLive: $('connection-live'),
  tabs: document.querySelector('[role=tablist]'),
  tabReplies: $('tab-replies'),
  tabState: $('tab-state'),
  viewReplies: $('view-replies'),
  viewState: $('view-state'),
  stateFilterForm: $('state-filter-form'),
  stateActors: $('state-actors'),
  stateKeywords: $('state-keywords'),
  stateInfo: $('state-info'),
  stateSource: $('state-source'),
  stateEmpty: $('state-empty'),
  stateNone: $('state-none'),
  stateCards: $('state-cards'),
  commandForm: $('command-form'),
  commandInput: $('command-input'),
  commandError: $('command-error'),
  cards: $('cards'),
  filterForm: $('filter-form'),
  filterActors: $('filter-actors'),
  filterOwn: $('filter-own'),
  filterOwnBroadcasts: $('filter-own-broadcasts'),
  filterReset: $('filter-reset'),
  filterStatus: $('filter-status'),
  filterSummary: $('filter-summary'),
  pause: $('pause'),
  clear: $('clear'),
  cap: $('cap'),
  streamInfo: $('stream-info'),
  streamEmpty: $('stream-empty'),
  stream: $('stream'),
};

// --- connection ------------------------------------------------------------------------------

const page = new URL(location.href);
const wsUrl = page.searchParams.get('ws') ?? gatewayUrl(page);
const token = new URLSearchParams(page.hash.slice(1)).get('token') ?? undefined;
const initialFilters = filtersFromPage(page.searchParams);
showFilters(initialFilters);

let lastState = 'connecting';
let openedBefore = false; // whether the connection that just closed had been open
let countdown = null;

const stateView = new StateView(
  {
    cards: el.stateCards,
    empty: el.stateEmpty,
    none: el.stateNone,
    info: el.stateInfo,
    actorFilter: el.stateActors,
    keywordFilter: el.stateKeywords,
  },
  timeOf,
);

// One connection, two subscription handles: the state view wants every actor's replies, the
// stream what its filters accept. The gateway sends what either wants (so everything); each
// handle sees only its own share. Command cards and snapshots take every frame (onReply).
const client = connect(wsUrl, { token });
client.onState(showState);
client.onReply(onFrame);
client.subscribe({}, (frame) => stateView.add(frame, false));
let streamHandle;
try {
  streamHandle = subscribeStream(initialFilters);
} catch (e) {
  // Filters from the page's address that no handle takes: show everything, and say why.
  showFilters({});
  streamHandle = subscribeStream({});
  el.filterStatus.classList.add('form-error');
  el.filterStatus.textContent = `filters from the address ignored: ${e.message}`;
}

function gatewayUrl(url) {
  const u = new URL('.', url); // the folder of the page: the gateway upgrades on any path
  u.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

function showState(state, detail = {}) {
  clearInterval(countdown);
  countdown = null;
  if (state === 'reconnecting' || state === 'closed') openedBefore = lastState === 'open';
  lastState = state;
  const where = new URL(wsUrl).host;
  const words = (remaining) => stateText(state, detail, { where, remaining, opened: openedBefore });
  el.connection.dataset.state = state;
  el.connection.textContent = words();
  // Screen readers hear each change of state once, not every second of the countdown.
  el.connectionLive.textContent = words();
  if (state === 'reconnecting' && detail.delay > 1000) {
    const deadline = Date.now() + detail.delay;
    countdown = setInterval(() => {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        clearInterval(countdown);
        countdown = null;
      } else {
        el.connection.textContent = words(remaining);
      }
    }, 1000);
  }
  if (state === 'open') requestSnapshot();
}

// --- the state view ------------------------------------------------------------------------------

async function requestSnapshot() {
  el.stateSource.textContent = 'asking the gateway for the current state…';
  try {
    // The snapshot frames reach onFrame (and so the state view) before this resolves.
    const { answer } = await client.snapshot();
    const n = answer?.actors ?? 0;
    const at = timeOf(new Date().toISOString());
    el.stateSource.textContent = n === 0
      ? `The gateway's snapshot was empty at ${at} UTC; values appear as the actors reply.`
      : `Filled from the gateway's snapshot of ${n} ${n === 1 ? 'actor' : 'actors'} at ${at} UTC, then live.`;
  } catch (e) {
    el.stateSource.textContent = `No snapshot (${e.error ?? e.message}); values appear as the actors reply.`;
  }
}

el.stateFilterForm.addEventListener('submit', (event) => event.preventDefault());

// --- the reply stream -----------------------------------------------------------------------

let paused = false;
let held = []; // frames that arrived while paused (at most `cap`)
let incoming = []; // frames waiting for the next paint (at most `cap`)
let flushScheduled = false;
let received = 0;

function cap() {
  return Number(el.cap.value);
}

/** Every frame the connection receives: snapshot frames for the state view, replies for cards. */
function onFrame(frame) {
  if (frame.headers?.snapshot) stateView.add(frame, true);
  const id = frame.headers?.command_id;
  if (id != null) cards.get(String(id))?.add(frame);
}

/** A handle for the stream with `filters` (and the gateway's own frames); throws on bad filters. */
function subscribeStream(filters) {
  const handle = client.subscribe({ ...filters, gateway: true }, (frame) => {
    if (handle === streamHandle) onStreamFrame(frame);
  });
  return handle;
}

function onStreamFrame(frame) {
  // The snapshot the console asks for is state, not replies: it shows in the state view only.
  if (isGatewayFrame(frame) && frame.body?.control === 'snapshot') return;
  received++;
  const target = paused ? held : incoming;
  target.push(frame);
  if (target.length > cap()) target.splice(0, target.length - cap());
  if (paused) {
    showInfo();
  } else {
    scheduleFlush();
  }
}

function scheduleFlush() {
  if (flushScheduled) return;
  flushScheduled = true;
  // A hidden tab gets no animation frames; the timer keeps the page bounded there too.
  const flush = () => {
    if (!flushScheduled) return;
    flushScheduled = false;
    render(incoming.splice(0));
  };
  requestAnimationFrame(flush);
  setTimeout(flush, 250);
}

let senderWidth = 0; // in ch, the width of the sender column

function render(frames) {
  if (frames.length === 0) return;
  const list = el.stream;
  const atBottom = el.viewReplies.hidden ? stickToBottom : list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const fragment = document.createDocumentFragment();
  let widest = senderWidth;
  for (const frame of frames) {
    fragment.append(replyRow(frame));
    widest = Math.max(widest, Math.min(MAX_SENDER_CH, String(frame.headers?.sender ?? '?').length + 1));
  }
  if (widest !== senderWidth) {
    // One column width for every row, so the messages start at the same place.
    senderWidth = widest;
    list.style.setProperty('--sender-width', `${widest}ch`);
  }
  list.append(fragment);
  const excess = list.childElementCount - cap();
  for (let i = 0; i < excess; i++) list.firstElementChild.remove();
  if (atBottom && !el.viewReplies.hidden) list.scrollTop = list.scrollHeight;
  showInfo();
}

function replyRow(frame) {
  const headers = frame.headers ?? {};
  const code = String(headers.message_code ?? '?');
  const li = document.createElement('li');
  li.className = `reply ${CODE_CLASS[code] ?? 'c-info'}`;
  li.dataset.code = code;
  li.dataset.sender = headers.sender ?? '';
  if (isGatewayFrame(frame)) li.classList.add('from-gateway');
  if (headers.snapshot) li.classList.add('snapshot');
  li.append(
    span('time', timeOf(frame.timestamp), 'UTC'),
    codeBadge(code),
    span('sender', headers.sender ?? '?', headers.sender ?? undefined),
    span('body', bodyText(frame.body)),
  );
  if (headers.command_id) li.title = `command ${headers.command_id}`;
  return li;
}

function showInfo() {
  const shown = el.stream.childElementCount;
  const empty = shown === 0;
  if (el.streamEmpty.hidden !== !empty) el.streamEmpty.hidden = !empty;
  if (empty) {
    el.streamEmpty.textContent = paused
      ? `Paused: ${held.length} new ${held.length === 1 ? 'reply' : 'replies'} held until you resume.`
      : received === 0
        ? 'No replies yet. Replies from the actors appear here as they arrive; send a command, or wait for a status broadcast.'
        : 'Cleared. New replies appear here as they arrive.';
  }
  el.streamInfo.textContent = paused
    ? `paused, ${held.length} new held`
    : `${shown} shown, ${received} received`;
}

el.pause.addEventListener('click', () => {
  if (!paused) render(incoming.splice(0)); // what arrived before the click is shown
  paused = !paused;
  el.pause.setAttribute('aria-pressed', String(paused));
  el.pause.textContent = paused ? 'Resume' : 'Pause';
  if (!paused) {
    incoming.push(...held);
    held = [];
    if (incoming.length > cap()) incoming.splice(0, incoming.length - cap());
    scheduleFlush();
  }
  showInfo();
});

el.clear.addEventListener('click', () => {
  el.stream.replaceChildren();
  held = [];
  incoming = [];
  showInfo();
});

el.cap.addEventListener('change', trimStream);

function trimStream() {
  const excess = el.stream.childElementCount - cap();
  for (let i = 0; i < excess; i++) el.stream.firstElementChild.remove();
  showInfo();
}

// --- filters (the gateway's subscription) ------------------------------------------------------

function filtersFromPage(params) {
  const filters = {};
  for (const name of ['actors', 'codes', 'own', 'own.broadcasts']) {
    if (params.has(name)) filters[name] = params.get(name);
  }
  return filters;
}

function showFilters(filters) {
  el.filterActors.value = filters.actors ?? '';
  const codes = String(filters.codes ?? '');
  for (const box of el.filterForm.querySelectorAll('input[name=code]')) box.checked = codes.includes(box.value);
  el.filterOwn.checked = String(filters.own) === 'true';
  el.filterOwnBroadcasts.checked = String(filters['own.broadcasts']) === 'true';
  el.filterOwnBroadcasts.disabled = !el.filterOwn.checked;
  el.filterSummary.textContent = describeFilters(filters);
}

function describeFilters(filters) {
  const parts = [];
  if (filters.actors) parts.push(`actors ${filters.actors}`);
  if (filters.codes) parts.push(`codes ${filters.codes}`);
  if (String(filters.own) === 'true') {
    parts.push(String(filters['own.broadcasts']) === 'true' ? 'my commands + broadcasts' : 'my commands');
  }
  return parts.length ? parts.join(' · ') : 'everything';
}

function filtersFromForm() {
  const filters = {};
  const actors = el.filterActors.value.split(',').map((s) => s.trim()).filter(Boolean);
  if (actors.length) filters.actors = actors.join(',');
  const codes = [...el.filterForm.querySelectorAll('input[name=code]:checked')].map((b) => b.value).join('');
  if (codes) filters.codes = codes;
  if (el.filterOwn.checked) {
    filters.own = true;
    if (el.filterOwnBroadcasts.checked) filters['own.broadcasts'] = true;
  }
  return filters;
}

el.filterOwn.addEventListener('change', () => {
  el.filterOwnBroadcasts.disabled = !el.filterOwn.checked;
  if (!el.filterOwn.checked) el.filterOwnBroadcasts.checked = false;
});

async function applyFilters(wanted) {
  el.filterStatus.textContent = 'applying…';
  el.filterStatus.classList.remove('form-error');
  try {
    // The new handle takes over at once (the old one stops before another frame arrives).
    const next = subscribeStream(wanted);
    const old = streamHandle;
    streamHandle = next;
    old.unsubscribe();
    await next.ready;
    el.filterSummary.textContent = describeFilters(wanted);
    el.filterStatus.textContent = `showing ${describeFilters(wanted)}`;
  } catch (e) {
    el.filterStatus.classList.add('form-error');
    el.filterStatus.textContent = e.error ?? e.message;
  }
}

el.filterForm.addEventListener('submit', (event) => {
  event.preventDefault();
  applyFilters(filtersFromForm());
});

el.filterReset.addEventListener('click', () => {
  showFilters({});
  applyFilters({});
});

// --- commands ---------------------------------------------------------------------------------

const cards = new Map(); // command id -> card

function sendCommand(line) {
  const text = line.trim();
  const space = text.search(/\s/);
  if (space < 0) {
    el.commandError.textContent = 'Type the actor, a space, then the command (e.g. "lvmecp status").';
    return false;
  }
  el.commandError.textContent = '';
  const consumer = text.slice(0, space);
  const commandString = text.slice(space + 1).trim();
  const commandId = newCommandId();
  const card = new Card(commandId, consumer, commandString);
  cards.set(commandId, card);
  el.cards.prepend(card.li);
  while (el.cards.childElementCount > MAX_CARDS) {
    const last = el.cards.lastElementChild;
    cards.delete(last.dataset.commandId);
    last.remove();
  }
  // The gateway forgets an unfinished command after 10 minutes (its default expiry); so does the
  // console, so that a command whose final reply never comes does not stay pending for ever.
  client.command(consumer, commandString, { commandId, timeout: COMMAND_TIMEOUT_MS }).then(
    () => card.finish('done'),
    (error) => card.finish('failed', error.error ?? error.message),
  );
  return true;
}

class Card {
  constructor(commandId, consumer, commandString) {
    this.li = document.createElement('li');
    this.li.className = 'card';
    this.li.dataset.commandId = commandId;
    this.li.dataset.status = 'running';
    this.status = span('status', 'running');
    const head = document.createElement('div');
    head.className = 'card-head';
    const what = document.createElement('code');
    what.className = 'what';
    what.textContent = `${consumer} ${commandString}`;
    head.append(what, this.status, span('time', timeOf(new Date().toISOString()), 'sent at (UTC)'));
    this.replies = document.createElement('ol');
    this.replies.className = 'card-replies';
    this.replies.setAttribute('aria-label', 'replies');
    this.error = document.createElement('p');
    this.error.className = 'card-error';
    this.li.append(head, this.replies);
  }

  add(frame) {
    if (this.replies.childElementCount >= MAX_CARD_REPLIES) this.replies.firstElementChild.remove();
    const code = String(frame.headers?.message_code ?? '?');
    const li = document.createElement('li');
    li.className = `reply ${CODE_CLASS[code] ?? 'c-info'}`;
    li.append(codeBadge(code), span('body', bodyText(frame.body)));
    this.replies.append(li);
  }

  finish(status, error) {
    this.li.dataset.status = status;
    this.status.textContent = status;
    if (error && !this.replies.querySelector('.c-fail, .c-error')) {
      this.error.textContent = error;
      this.li.append(this.error);
    }
    cards.delete(this.li.dataset.commandId);
  }
}

// History: ↑ and ↓ in the command box, kept in this browser (at most HISTORY_SIZE lines).
const history = loadHistory();
let historyIndex = history.length;
let draft = '';

function loadHistory() {
  try {
    const saved = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(saved) ? saved.filter((s) => typeof s === 'string').slice(-HISTORY_SIZE) : [];
  } catch {
    return [];
  }
}

function remember(line) {
  if (history.at(-1) !== line) history.push(line);
  if (history.length > HISTORY_SIZE) history.splice(0, history.length - HISTORY_SIZE);
  historyIndex = history.length;
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
  } catch {
    // storage full or disabled: history lasts for this page only
  }
}

el.commandInput.addEventListener('keydown', (event) => {
  if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
  if (history.length === 0) return;
  event.preventDefault();
  if (historyIndex === history.length) draft = el.commandInput.value;
  historyIndex += event.key === 'ArrowUp' ? -1 : 1;
  historyIndex = Math.max(0, Math.min(history.length, historyIndex));
  el.commandInput.value = historyIndex === history.length ? draft : history[historyIndex];
  const end = el.commandInput.value.length;
  el.commandInput.setSelectionRange(end, end);
});

el.commandForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const line = el.commandInput.value;
  if (sendCommand(line)) {
    remember(line.trim());
    el.commandInput.value = '';
    draft = '';
  }
});

// --- tabs: replies and state (WAI-ARIA tabs, automatic activation) -----------------------------

const tabs = [el.tabReplies, el.tabState];
const panels = new Map([[el.tabReplies, el.viewReplies], [el.tabState, el.viewState]]);
let stickToBottom = true; // whether the stream was scrolled to its end when it was hidden

function selectTab(tab, { focus = false, remember = true } = {}) {
  if (tab === el.tabState && !el.viewReplies.hidden) {
    const list = el.stream;
    stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  }
  for (const t of tabs) {
    const selected = t === tab;
    t.setAttribute('aria-selected', String(selected));
    t.tabIndex = selected ? 0 : -1;
    panels.get(t).hidden = !selected;
  }
  stateView.setVisible(tab === el.tabState);
  if (tab === el.tabReplies && stickToBottom) el.stream.scrollTop = el.stream.scrollHeight;
  if (focus) tab.focus();
  if (remember) {
    const url = new URL(location.href);
    if (tab === el.tabState) url.searchParams.set('view', 'state');
    else url.searchParams.delete('view');
    window.history.replaceState(window.history.state, '', url);
  }
}

for (const tab of tabs) tab.addEventListener('click', () => selectTab(tab));

el.tabs.addEventListener('keydown', (event) => {
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  let next;
  if (event.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
  else if (event.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
  else if (event.key === 'Home') next = tabs[0];
  else if (event.key === 'End') next = tabs[tabs.length - 1];
  else return;
  event.preventDefault();
  selectTab(next, { focus: true });
});

selectTab(page.searchParams.get('view') === 'state' ? el.tabState : el.tabReplies, { remember: false });
showInfo();

// --- formatting -------------------------------------------------------------------------------

function span(className, text, title) {
  const s = document.createElement('span');
  s.className = className;
  s.textContent = text;
  if (title) s.title = title;
  return s;
}

function codeBadge(code) {
  const b = document.createElement('b');
  b.className = `code ${CODE_CLASS[code] ?? ''}`;
  b.textContent = code;
  b.title = CODE_NAMES[code] ?? 'unknown code';
  b.setAttribute('aria-label', CODE_NAMES[code] ?? `code ${code}`);
  return b;
}

function timeOf(timestamp) {
  if (!timestamp) return '';
  const t = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(timestamp) ? timestamp : `${timestamp}Z`);
  return Number.isNaN(t.getTime()) ? String(timestamp) : t.toISOString().slice(11, 19);
}

function bodyText(body) {
  if (body == null) return '';
  if (typeof body !== 'object' || Array.isArray(body)) return JSON.stringify(body);
  const keys = Object.keys(body);
  if (keys.length === 0) return '';
  return keys.map((k) => `${k}=${typeof body[k] === 'string' ? body[k] : JSON.stringify(body[k])}`).join('  ');
}

