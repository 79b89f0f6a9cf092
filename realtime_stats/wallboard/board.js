// The wallboard and the team-lead drill-down: one script for both pages.
//
// Every Server-Sent Event is a full snapshot (realtime_stats/board.py), so each one
// re-renders the page and a reconnect is whole again with its first event. Between
// pushes the page ticks on its own: times in state and the longest wait are counted
// from the server's "now", corrected for the screen's clock being off.
// The DOM is built with textContent only, never innerHTML: names come from the feed.
// This file is inlined in a <script> element, so it must not contain an HTML end tag.
'use strict';
(function () {
  const body = document.body;
  const view = body.dataset.view;
  const params = new URLSearchParams(window.location.search);
  const DASH = '–';
  const RECONNECT_MS = 3000;

  const STATES = {
    available: 'Beschikbaar', ringing: 'Gaat over', talking: 'In gesprek',
    after_call_work: 'Nawerk', paused: 'Pauze', logged_out: 'Afgemeld',
  };
  const PAUSES = { training: 'training', backoffice: 'backoffice', not_answering: 'niet opgenomen' };
  // [label, mark]: the status is always written out, never shown by colour alone.
  const STATUS = {
    norm: { green: ['Norm gehaald', '✓'], amber: ['Net onder norm', '!'], red: ['Onder norm', '✗'] },
    occupancy: { green: ['Gezond', '✓'], amber: ['Hoog', '!'], red: ['Te hoog', '✗'] },
  };
  const NO_DATA = 'Nog geen gegevens';

  let snap = null;
  let offsetMs = 0; // screen clock minus server clock
  let receivedAt = 0;
  let formats = null; // date and clock formats of the site's time zone

  // ---- formatting ---------------------------------------------------------------------------
  function pct(v) { return v == null ? DASH : Math.round(v * 100) + '%'; }
  function count(n) { return n == null ? DASH : String(n); }
  function dur(s) {
    if (s == null) return DASH;
    const total = Math.max(0, Math.round(s));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const sec = String(total % 60).padStart(2, '0');
    return h > 0 ? h + ':' + String(m).padStart(2, '0') + ':' + sec : m + ':' + sec;
  }
  const FORMATS = { pct: pct, count: count, dur: dur, wait: dur };

  function zoneFormats(zone) {
    return {
      day: new Intl.DateTimeFormat('nl-NL',
        { weekday: 'long', day: 'numeric', month: 'long', timeZone: zone }),
      clock: new Intl.DateTimeFormat('nl-NL',
        { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: zone }),
    };
  }

  function serverNow() { return Date.now() - offsetMs; }
  function sinceSeconds(iso) { return (serverNow() - Date.parse(iso)) / 1000; }
  function liveWait(base) { return base == null ? null : base + (Date.now() - receivedAt) / 1000; }
  function get(obj, path) {
    return path.split('.').reduce((o, key) => (o == null ? undefined : o[key]), obj);
  }

  // ---- DOM helpers --------------------------------------------------------------------------
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    const p = props || {};
    if (p.cls) node.className = p.cls;
    if (p.text != null) node.textContent = p.text;
    if (p.href) node.href = p.href;
    if (p.title) node.title = p.title;
    Object.entries(p.data || {}).forEach(([k, v]) => { if (v != null) node.dataset[k] = v; });
    children.forEach((c) => { if (c != null) node.append(c); });
    return node;
  }
  function mark(rated, kind) {
    const span = el('span', { cls: 'rated' }, pct(rated.value));
    if (rated.status) {
      const [label, sign] = STATUS[kind][rated.status];
      const m = el('span', { cls: 'mark ' + rated.status, text: sign, title: label });
      m.setAttribute('aria-label', label);
      span.append(m);
    }
    return span;
  }
  function numCell(content) {
    return typeof content === 'string'
      ? el('td', { cls: 'num', text: content })
      : el('td', { cls: 'num' }, content);
  }
  function waitCell(seconds) {
    return el('span', { text: dur(seconds), data: { wait: seconds } });
  }
  function inStateCell(agent, cls) {
    return el('span', { cls: cls, text: dur(sinceSeconds(agent.since)), data: { since: agent.since } });
  }
  function headRow(titles) {
    // A title starting with '#' heads a column of numbers.
    return el('tr', {}, ...titles.map((t) => (t[0] === '#'
      ? el('th', { cls: 'num', text: t.slice(1) })
      : el('th', { text: t }))));
  }

  // ---- filling marked-up elements -----------------------------------------------------------
  // [data-field] shows one value of `data`; [data-rated] is a tile of a figure with a norm;
  // [data-warn] is marked (class warn) while the count it names is above 0.
  function fill(root, data) {
    root.querySelectorAll('[data-warn]').forEach((node) => {
      node.classList.toggle('warn', get(data, node.dataset.warn) > 0);
    });
    root.querySelectorAll('[data-field]').forEach((node) => {
      const value = get(data, node.dataset.field);
      node.textContent = FORMATS[node.dataset.format](value);
      if (node.dataset.format === 'wait') node.dataset.wait = value == null ? '' : value;
    });
    root.querySelectorAll('[data-rated]').forEach((tile) => {
      const rated = get(data, tile.dataset.rated) || { value: null, status: null };
      const label = rated.status ? STATUS[tile.dataset.kind][rated.status] : null;
      tile.querySelector('.big').textContent = pct(rated.value);
      tile.querySelector('.status').textContent = label ? label[1] + ' ' + label[0] : NO_DATA;
      tile.classList.remove('green', 'amber', 'red');
      if (rated.status) tile.classList.add(rated.status);
    });
  }

  function tile(title, content, props) {
    return el('article', props || { cls: 'tile live' }, el('h2', { text: title }), content);
  }
  function ratedTile(title, field, kind) {
    return el('article', { cls: 'tile', data: { rated: field, kind: kind } },
      el('h2', { text: title }), el('p', { cls: 'big' }, DASH), el('p', { cls: 'status' }, NO_DATA));
  }

  // ---- tables -------------------------------------------------------------------------------
  function stateCell(agent) {
    let text = STATES[agent.state] || agent.state;
    if (agent.state === 'paused' && agent.pause_reason && agent.pause_reason !== 'break') {
      text += ' (' + (PAUSES[agent.pause_reason] || agent.pause_reason) + ')';
    }
    return el('span', { cls: 'state ' + agent.state, text: text });
  }
  function agentRow(agent) {
    const link = '/wallboard/teamlead?agent=' + encodeURIComponent(agent.id);
    const name = view === 'teamlead' ? el('a', { text: agent.name, href: link }) : agent.name;
    return el('tr', { cls: agent.state, data: { agent: agent.id } },
      el('td', {}, name), el('td', { text: agent.position || DASH }), el('td', {}, stateCell(agent)),
      el('td', {}, inStateCell(agent, 'in-state')), numCell(count(agent.calls)),
      numCell(dur(agent.talk_s)), numCell(dur(agent.acw_s)), numCell(mark(agent.occupancy, 'occupancy')));
  }
  function fillAgents(table, agents) {
    table.tHead.replaceChildren(headRow(['Medewerker', 'Post', 'Status', 'Tijd in status',
      '#Gesprekken', '#Gem. gesprek', '#Gem. nawerk', '#Bezetting']));
    const rows = agents.map(agentRow);
    if (!rows.length) rows.push(el('tr', {}, el('td', { text: 'Niemand aangemeld' })));
    table.tBodies[0].replaceChildren(...rows);
  }

  function fillGroup(table, rows, title, noneName) {
    table.tHead.replaceChildren(headRow([title, '#Wachtend', '#Langste wacht', '#Aangeboden',
      '#Bereikbaar', '#Servicelevel', '#Direct']));
    table.tBodies[0].replaceChildren(...rows.map((row) => el('tr', { data: { group: row.id || '' } },
      el('td', { text: row.name == null ? noneName : row.name }),
      numCell(count(row.waiting)), numCell(waitCell(row.longest_wait_s)), numCell(count(row.offered)),
      numCell(mark(row.answer_rate, 'norm')), numCell(mark(row.service_level, 'norm')),
      numCell(mark(row.direct_handling, 'norm')))));
  }

  // The second pillar's callback notes (realtime_stats/wallboard/callbacks.py): per
  // department, then the total. A late note's count is marked, its number still says it.
  function callbackRow(row, name, id, cls) {
    const late = el('td', { cls: 'num' + (row.overdue ? ' late' : ''), text: count(row.overdue) });
    return el('tr', { cls: cls, data: { department: id } },
      el('td', { text: name }), numCell(count(row.made)), numCell(count(row.open)), late,
      numCell(mark(row.done_in_time_share, 'norm')));
  }
  function fillCallbacks(table, notes) {
    table.tHead.replaceChildren(headRow(['Afdeling', '#Gemaakt', '#Open', '#Te laat', '#Op tijd']));
    const rows = notes.departments.map((row) => callbackRow(row, row.name, row.id, null));
    rows.push(callbackRow(notes.total, 'Totaal', '', 'total'));
    table.tBodies[0].replaceChildren(...rows);
  }

  function fillTrend(box, trend) {
    const most = Math.max(1, ...trend.map((b) => b.offered));
    // A long day has no room for every label: then only the whole hours are written.
    const dense = trend.length > 12;
    box.classList.toggle('dense', dense);
    box.replaceChildren(...trend.map((b) => {
      const answered = el('div', { cls: 'answered' });
      const abandoned = el('div', { cls: 'abandoned' });
      // CSSOM, not a style attribute: the page's CSP allows no inline style attributes.
      answered.style.height = (100 * b.answered / most) + '%';
      abandoned.style.height = (100 * b.abandoned / most) + '%';
      const title = b.label + ': ' + b.offered + ' aangeboden';
      return el('div', { cls: 'bar' + (b.current ? ' current' : ''), title: title },
        el('span', { cls: 'count', text: String(b.offered) }),
        el('div', { cls: 'stack' }, abandoned, answered),
        el('span', { cls: 'sl' }, mark(b.service_level, 'norm')),
        el('span', { cls: 'time', text: dense && b.label.slice(3, 5) !== '00' ? '' : b.label }));
    }));
  }

  // ---- the floor's wallboard ----------------------------------------------------------------
  function renderFloor() {
    fill(document.getElementById('board'), snap);
    fillAgents(document.getElementById('agents'), snap.agents);
    fillGroup(document.getElementById('topics'), snap.topics, 'Onderwerp', 'Geen keuze');
    fillGroup(document.getElementById('municipalities'), snap.municipalities, 'Gemeente', 'Onbekend');
    fillTrend(document.getElementById('trend'), snap.trend);
    if (snap.callback_notes) fillCallbacks(document.getElementById('callback-notes'), snap.callback_notes);
  }

  // ---- the team lead's drill-down -----------------------------------------------------------
  function pickLinks(boxId, items, key) {
    document.getElementById(boxId).replaceChildren(...items.flatMap((item) => {
      const href = '/wallboard/teamlead?' + key + '=' + encodeURIComponent(item.id);
      const a = el('a', { text: item.name, href: href });
      if (params.get(key) === item.id) a.classList.add('selected');
      return [a, ' '];
    }));
  }

  function topicDetail(topic) {
    const tiles = el('section', { cls: 'tiles' },
      tile('Wachtenden', el('p', { cls: 'big', data: { field: 'waiting', format: 'count' } })),
      tile('Langste wachttijd', el('p', { cls: 'big', data: { field: 'longest_wait_s', format: 'wait' } })),
      ratedTile('Bereikbaarheid', 'answer_rate', 'norm'),
      ratedTile('Servicelevel (' + snap.rules.answer_within_s + ' s)', 'service_level', 'norm'),
      ratedTile('Direct afgehandeld', 'direct_handling', 'norm'));
    fill(tiles, topic);
    const counts = 'Aangeboden ' + count(topic.offered) + ' · beantwoord ' + count(topic.answered) +
      ' · afgebroken ' + count(topic.abandoned) + ' (waarvan kort ' + count(topic.short_abandoned) + ')' +
      ' · gem. antwoordtijd ' + dur(topic.asa_s) + ' · gem. gesprek ' + dur(topic.talk_s) +
      ' · gem. nawerk ' + dur(topic.acw_s);
    const agents = el('table', {}, el('thead'), el('tbody'));
    fillAgents(agents, snap.agents.filter((a) => a.topics.includes(topic.id)));
    return [tiles, el('p', { text: counts }), el('h2', { text: 'Medewerkers op dit onderwerp' }), agents];
  }

  function agentDetail(agent) {
    const tiles = el('section', { cls: 'tiles' },
      tile('Status', el('p', { cls: 'big' }, stateCell(agent))),
      tile('Tijd in status', el('p', { cls: 'big' }, inStateCell(agent, 'in-state'))),
      tile('Gesprekken', el('p', { cls: 'big', text: count(agent.calls) })),
      ratedTile('Direct afgehandeld', 'direct_handling', 'norm'),
      ratedTile('Bezettingsgraad', 'occupancy', 'occupancy'));
    fill(tiles, agent);
    const topics = snap.topics.filter((t) => agent.topics.includes(t.id)).map((t) => t.name).join(', ');
    const line = 'Gem. gesprek ' + dur(agent.talk_s) + ' · gem. nawerk ' + dur(agent.acw_s) +
      ' · post ' + (agent.position || DASH) + ' · onderwerpen: ' + (topics || DASH);
    return [tiles, el('p', { text: line })];
  }

  // Erlang C advice (board.py: required agents for the norm and the occupancy cap) next to
  // the agents staffed on average in that half hour; the gap is written out, not coloured.
  const BASIS = {
    measured: 'Advies op de gemeten gespreks- en nawerktijd van vandaag.',
    default: 'Nog geen afgehandeld gesprek vandaag: advies op de standaard gespreks- en nawerktijd.',
  };
  function agentsCount(n) {
    return n == null ? DASH : n.toLocaleString('nl-NL', { maximumFractionDigits: 1 });
  }
  function staffingGap(advised, staffed) {
    if (advised == null || staffed == null) return DASH;
    const short = advised.agents - staffed;
    if (short > 0.05) return '✗ ' + agentsCount(short) + ' te weinig';
    return '✓ genoeg';
  }
  function staffingRow(b) {
    const advised = b.staffing;
    return el('tr', { cls: b.current ? 'current' : null, data: { bucket: b.start } },
      el('td', { text: b.label + (b.current ? ' (nu)' : '') }), numCell(count(b.offered)),
      numCell(advised ? count(advised.agents) : DASH), numCell(agentsCount(b.staffed_agents)),
      numCell(advised ? pct(advised.service_level) : DASH),
      numCell(advised ? pct(advised.occupancy) : DASH), el('td', { text: staffingGap(advised, b.staffed_agents) }));
  }
  function fillStaffing(table, note, trend) {
    table.tHead.replaceChildren(headRow(['Half uur', '#Aangeboden', '#Geadviseerd', '#Ingezet',
      '#Verwacht servicelevel', '#Verwachte bezetting', 'Verschil']));
    const rows = trend.map(staffingRow);
    if (!rows.length) rows.push(el('tr', {}, el('td', { text: 'Nog geen gegevens vandaag' })));
    table.tBodies[0].replaceChildren(...rows);
    const advised = trend.find((b) => b.staffing);
    note.textContent = 'Ingezet: gemiddeld aantal medewerkers aangemeld en niet in pauze. ' +
      (advised ? BASIS[advised.staffing.basis] || '' : '');
  }

  function renderTeamlead() {
    fillStaffing(document.getElementById('staffing'), document.getElementById('staffing-basis'),
      snap.trend);
    pickLinks('pick-topics', snap.topics.filter((t) => t.id != null), 'topic');
    pickLinks('pick-agents', snap.agents, 'agent');
    // The "no topic chosen" row has id null, as has a missing ?topic=: never match those.
    const topic = params.has('topic') ? snap.topics.find((t) => t.id === params.get('topic')) : undefined;
    const agent = snap.agents.find((a) => a.id === params.get('agent'));
    const title = document.getElementById('detail-title');
    const detail = document.getElementById('detail-body');
    if (topic) {
      title.textContent = 'Onderwerp: ' + topic.name;
      detail.replaceChildren(...topicDetail(topic));
    } else if (agent) {
      title.textContent = 'Medewerker: ' + agent.name;
      detail.replaceChildren(...agentDetail(agent));
    } else {
      title.textContent = params.get('agent')
        ? 'Deze medewerker is vandaag niet aangemeld'
        : 'Kies een onderwerp of medewerker';
      detail.replaceChildren();
    }
  }

  // ---- ticking between pushes ---------------------------------------------------------------
  function tick() {
    if (!snap) return;
    document.getElementById('clock').textContent = formats.clock.format(new Date(serverNow()));
    document.querySelectorAll('[data-since]').forEach((node) => {
      node.textContent = dur(sinceSeconds(node.dataset.since));
    });
    document.querySelectorAll('[data-wait]').forEach((node) => {
      node.textContent = node.dataset.wait === '' ? DASH : dur(liveWait(Number(node.dataset.wait)));
    });
    const longest = document.getElementById('tile-longest');
    if (longest) {
      // A caller waiting past the service-level threshold is already outside the norm.
      const limit = snap.rules.answer_within_s;
      const over = liveWait(get(snap, 'totals.longest_wait_s')) > limit;
      longest.classList.toggle('over', over);
      longest.querySelector('.wait-note').textContent = over ? 'boven ' + limit + ' s' : 'nu';
    }
    if (body.dataset.connection === 'lost') {
      const age = formats.clock.format(new Date(Date.parse(snap.now)));
      document.getElementById('banner-age').textContent = '(cijfers van ' + age + ')';
    }
  }

  function apply(next) {
    if (!snap || snap.timezone !== next.timezone) formats = zoneFormats(next.timezone);
    snap = next;
    receivedAt = Date.now();
    offsetMs = receivedAt - Date.parse(next.now);
    document.getElementById('day').textContent = formats.day.format(new Date(serverNow()));
    if (view === 'teamlead') renderTeamlead(); else renderFloor();
    const updated = formats.clock.format(new Date(serverNow()));
    document.getElementById('updated').textContent = 'bijgewerkt ' + updated;
    // For diagnostics and the browser test: how many snapshots came, and when.
    body.dataset.snapshots = String(Number(body.dataset.snapshots || 0) + 1);
    body.dataset.appliedAt = String(receivedAt);
    if (!body.dataset.firstSnapshotMs) {
      body.dataset.firstSnapshotMs = String(Math.round(performance.now()));
    }
    tick();
  }

  // ---- render log ---------------------------------------------------------------------------
  // When each pushed snapshot reached the screen and which stream events it covered, for
  // measuring event-to-screen latency (bench/bench_wallboard_latency.py). Bounded, so a
  // screen left on for weeks does not grow.
  const RENDER_LOG_MAX = 5000;
  const renderLog = [];
  window.kccRenderLog = renderLog;
  function logRender(through) {
    window.requestAnimationFrame(() => {
      renderLog.push({ shown_at_ms: Date.now(), events_through: through || '' });
      if (renderLog.length > RENDER_LOG_MAX) renderLog.splice(0, renderLog.length - RENDER_LOG_MAX);
    });
  }

  // ---- the connection -----------------------------------------------------------------------
  function setConnection(state) {
    body.dataset.connection = state;
    document.getElementById('banner').hidden = state !== 'lost';
    tick();
  }

  function streamUrl() {
    const token = params.get('token');
    return body.dataset.stream + (token ? '?token=' + encodeURIComponent(token) : '');
  }

  function connect() {
    const source = new EventSource(streamUrl());
    source.addEventListener('snapshot', (event) => {
      const next = JSON.parse(event.data);
      apply(next);
      setConnection('open');
      logRender(next.events_through);
    });
    source.addEventListener('error', () => {
      setConnection('lost');
      // The browser retries by itself after a network error, but gives up for good on
      // an HTTP error (a restarting proxy, a revoked token): then we retry ourselves.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        window.setTimeout(connect, RECONNECT_MS);
      }
    });
  }

  window.setInterval(tick, 1000);
  connect();
}());
