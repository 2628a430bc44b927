// The state view: one card per actor with the latest value of each of its keywords, filled from
// the gateway's snapshot and updated live from replies.
//
// Built to stay smooth with hundreds of actors and tens of thousands of values arriving at
// hundreds of replies a second: replies only update a model and mark what changed; once per
// animation frame the changed cells (and only those) are written to the page. While the view is
// hidden nothing is drawn; showing it draws what changed meanwhile. Cards the user cannot see
// skip layout and paint (CSS content-visibility).

const MAX_ACTORS = 1000; // as the gateway's default --state-actors
const MAX_KEYWORDS = 1000; // per actor, as --state-keywords
const MAX_VALUE_CHARS = 2000; // a longer value is cut on the page (its whole text in the title)

/** A matcher for a filter field: comma-separated terms, `*` wildcards, else a substring; any case. */
export function matcher(text) {
  const terms = String(text ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  if (terms.length === 0) return null;
  const tests = terms.map((term) => {
    if (!term.includes('*')) return (name) => name.includes(term);
    const pattern = term.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    const re = new RegExp(`^${pattern}$`);
    return (name) => re.test(name);
  });
  return (name) => {
    const n = name.toLowerCase();
    return tests.some((t) => t(n));
  };
}

/** A keyword's row, cloned for each new keyword: <div class="kv"><dt>key</dt><dd>value</dd></div>. */
const ROW = (() => {
  const row = document.createElement('div');
  row.className = 'kv';
  const dt = document.createElement('dt');
  dt.append('');
  const dd = document.createElement('dd');
  dd.append('');
  row.append(dt, dd);
  return row;
})();

function valueText(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text ?? String(value);
}

export class StateView {
  /**
   * @param {object} el the view's elements: cards (container), empty (hint), info (counts),
   *   actorFilter and keywordFilter (inputs)
   * @param {(timestamp: string) => string} timeOf formats a reply's timestamp for the page
   */
  constructor(el, timeOf) {
    this.el = el;
    this.timeOf = timeOf;
    this.actors = new Map(); // name -> actor (see #actor)
    this.sorted = []; // names of actors with a card, sorted
    this.dirty = new Set(); // actors with changes not yet drawn
    this.visible = false;
    this.scheduled = false;
    this.actorMatch = null;
    this.keywordMatch = null;
    this.filtersChanged = false;
    this.dropped = 0; // values not kept (past the bounds)
    this.values = 0;
    this.nextId = 0;
    el.actorFilter.addEventListener('input', () => this.#filtersChanged());
    el.keywordFilter.addEventListener('input', () => this.#filtersChanged());
  }

  /** Takes a frame: snapshot frames and actors' replies update the state; others are ignored. */
  add(frame, fromGateway) {
    const headers = frame?.headers;
    const body = frame?.body;
    const sender = headers?.sender;
    if (typeof sender !== 'string' || sender === '') return;
    if (fromGateway && !headers.snapshot) return;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return;
    const keys = Object.keys(body);
    if (keys.length === 0) return;
    const actor = this.#actor(sender);
    if (!actor) {
      this.dropped += keys.length;
      return;
    }
    for (const key of keys) {
      let entry = actor.values.get(key);
      const text = valueText(body[key]);
      if (!entry) {
        if (actor.values.size >= MAX_KEYWORDS) {
          this.dropped++;
          continue;
        }
        entry = { text, row: null, dd: null, value: null, titled: false, hidden: false, flash: false, drawn: null };
        actor.values.set(key, entry);
        this.values++;
      } else {
        entry.text = text;
      }
      actor.changed.add(key);
    }
    if (frame.timestamp && (!actor.newest || String(frame.timestamp) >= actor.newest)) {
      actor.newest = String(frame.timestamp);
    }
    this.dirty.add(actor);
    this.#schedule();
  }

  /** Shows or hides the view; showing draws what changed while it was hidden. */
  setVisible(visible) {
    this.visible = visible;
    if (visible) this.flush(false);
  }

  #actor(name) {
    let actor = this.actors.get(name);
    if (actor) return actor;
    if (this.actors.size >= MAX_ACTORS) return null;
    actor = { name, values: new Map(), changed: new Set(), newest: null, card: null };
    this.actors.set(name, actor);
    return actor;
  }

  #schedule() {
    if (this.scheduled || !this.visible) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      if (this.visible) this.flush(true);
    });
  }

  #filtersChanged() {
    this.filtersChanged = true;
    if (this.visible) this.#schedule();
  }

  /** Draws every pending change now; `highlight` marks changed values (live updates). */
  flush(highlight) {
    if (this.filtersChanged) {
      this.filtersChanged = false;
      this.actorMatch = matcher(this.el.actorFilter.value);
      this.keywordMatch = matcher(this.el.keywordFilter.value);
      for (const actor of this.actors.values()) {
        if (actor.card) this.#applyFilters(actor);
      }
    }
    if (this.dirty.size > 0) {
      const dirty = [...this.dirty];
      this.dirty.clear();
      for (const actor of dirty) this.#draw(actor, highlight && actor.card !== null);
    }
    this.#showCounts();
  }

  #draw(actor, highlight) {
    const created = !actor.card;
    if (created) this.#createCard(actor);
    const card = actor.card;
    let added = false;
    for (const key of actor.changed) {
      const entry = actor.values.get(key);
      if (!entry) continue;
      if (!entry.row) {
        this.#createRow(card, key, entry);
        added = true;
      }
      if (entry.drawn !== entry.text) {
        const long = entry.text.length > MAX_VALUE_CHARS;
        // Changing the data of the cell's one text node is the cheapest change the DOM has.
        entry.value.data = long ? `${entry.text.slice(0, MAX_VALUE_CHARS)}…` : entry.text;
        if (long) entry.dd.title = entry.text;
        else if (entry.titled) entry.dd.removeAttribute('title');
        entry.titled = long;
        if (highlight) {
          // Two classes with the same animation: switching restarts it without a reflow.
          entry.flash = !entry.flash;
          entry.dd.classList.remove(entry.flash ? 'changed-b' : 'changed-a');
          entry.dd.classList.add(entry.flash ? 'changed-a' : 'changed-b');
        }
        entry.drawn = entry.text;
      }
    }
    actor.changed.clear();
    if (card.newest !== actor.newest) {
      card.newest = actor.newest;
      card.time.firstChild.data = actor.newest ? this.timeOf(actor.newest) : '';
      card.time.dateTime = actor.newest ?? '';
    }
    if (card.size !== actor.values.size) {
      card.size = actor.values.size;
      card.count.firstChild.data = `${card.size} ${card.size === 1 ? 'keyword' : 'keywords'}`;
    }
    if (added) this.#applyFilters(actor);
    // A new card goes into the page whole, after its rows: one insertion instead of one per row.
    if (created) this.#insertCard(actor);
  }

  #createCard(actor) {
    const id = `actor-${this.nextId++}`;
    const article = document.createElement('article');
    article.className = 'actor';
    article.dataset.actor = actor.name;
    article.setAttribute('aria-labelledby', id);
    const head = document.createElement('header');
    const title = document.createElement('h3');
    title.id = id;
    title.textContent = actor.name;
    const count = document.createElement('span');
    count.className = 'count';
    count.append('');
    const time = document.createElement('time');
    time.className = 'time';
    time.append('');
    time.title = 'time of the newest value (UTC)';
    head.append(title, count, time);
    const list = document.createElement('dl');
    list.className = 'keywords';
    article.append(head, list);
    actor.card = { article, list, time, count, newest: null, size: -1, hidden: false };
  }

  #insertCard(actor) {
    const { article } = actor.card;
    // Sorted by name: insert before the first card whose name is greater.
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] < actor.name) lo = mid + 1;
      else hi = mid;
    }
    const next = lo < this.sorted.length ? this.actors.get(this.sorted[lo]).card.article : null;
    this.sorted.splice(lo, 0, actor.name);
    this.el.cards.insertBefore(article, next);
  }

  #createRow(card, key, entry) {
    const row = ROW.cloneNode(true);
    row.dataset.keyword = key;
    const dt = row.firstChild;
    dt.firstChild.data = key;
    const dd = dt.nextSibling;
    const value = dd.firstChild;
    card.list.append(row);
    entry.row = row;
    entry.dd = dd;
    entry.value = value;
    entry.titled = false;
    entry.hidden = false;
  }

  #applyFilters(actor) {
    const card = actor.card;
    let anyKeyword = false;
    const keywordMatch = this.keywordMatch;
    for (const [key, entry] of actor.values) {
      if (!entry.row) continue;
      const hide = keywordMatch !== null && !keywordMatch(key);
      if (hide !== entry.hidden) {
        entry.hidden = hide;
        entry.row.hidden = hide;
      }
      if (!hide) anyKeyword = true;
    }
    const hideCard = (this.actorMatch !== null && !this.actorMatch(actor.name)) || (keywordMatch !== null && !anyKeyword);
    if (card.hidden !== hideCard) {
      card.hidden = hideCard;
      card.article.hidden = hideCard;
    }
  }

  #showCounts() {
    const total = this.sorted.length;
    let shown = 0;
    for (const name of this.sorted) if (!this.actors.get(name).card.hidden) shown++;
    const filtered = this.actorMatch !== null || this.keywordMatch !== null;
    let text = filtered ? `${shown} of ${total} actors shown` : `${total} ${total === 1 ? 'actor' : 'actors'}`;
    text += `, ${this.values} values`;
    if (this.dropped) text += ` (${this.dropped} values past the console's bounds not shown)`;
    if (this.el.info.textContent !== text) this.el.info.textContent = text;
    const empty = total === 0;
    if (this.el.empty.hidden !== !empty) this.el.empty.hidden = !empty;
    const none = !empty && shown === 0;
    if (this.el.none.hidden !== !none) this.el.none.hidden = !none;
  }
}
