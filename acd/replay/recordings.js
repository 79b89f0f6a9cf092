// The recordings list: filters, a table newest first, a link to each recording's player.
//
// The filters live in the page's own address (?day=...&agent=...&notes=1&unreviewed=1:
// the checkboxes "Met notities" and "Nog niet beoordeeld"), so going back from
// the player shows the same list. The data is GET /api/recordings (acd/replay/routes.py);
// an agent's list is only ever their own, so the page hides the agent filter for them.
// The DOM is built with textContent only, never innerHTML. This file is inlined in a
// <script> element: it must not contain an HTML end tag.
'use strict';
(function () {
  const body = document.body;
  const zone = body.dataset.zone || 'Europe/Amsterdam';
  const ownAgent = body.dataset.agent || '';
  const PAGE = 50;
  const DASH = '–';
  const FIELDS = { day: 'f-day', agent: 'f-agent', topic: 'f-topic', municipality: 'f-municipality' };
  const CHECKS = { notes: 'f-notes', unreviewed: 'f-unreviewed' };
  let offset = 0;
  let filled = false;

  const $ = (id) => document.getElementById(id);
  function dur(s) {
    const t = Math.max(0, Math.round(s));
    const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = String(t % 60).padStart(2, '0');
    return h > 0 ? h + ':' + String(m).padStart(2, '0') + ':' + sec : m + ':' + sec;
  }
  function day(iso) {
    return new Date(iso).toLocaleDateString('nl-NL', { weekday: 'short', day: 'numeric',
      month: 'short', year: 'numeric', timeZone: zone });
  }
  function clock(iso) {
    return new Date(iso).toLocaleTimeString('nl-NL', { hour: '2-digit', minute: '2-digit',
      timeZone: zone });
  }

  function wanted() {
    const params = new URLSearchParams();
    for (const [name, id] of Object.entries(FIELDS)) {
      const value = $(id).value;
      if (value) params.set(name, value);
    }
    const low = $('f-min').value, high = $('f-max').value;
    if (low !== '') params.set('min_s', String(Number(low) * 60));
    if (high !== '') params.set('max_s', String(Number(high) * 60));
    for (const [name, id] of Object.entries(CHECKS)) {
      if ($(id).checked) params.set(name, '1');
    }
    return params;
  }

  function fromAddress() {
    const params = new URLSearchParams(window.location.search);
    for (const [name, id] of Object.entries(FIELDS)) $(id).value = params.get(name) || '';
    const low = params.get('min_s'), high = params.get('max_s');
    $('f-min').value = low ? String(Number(low) / 60) : '';
    $('f-max').value = high ? String(Number(high) / 60) : '';
    for (const [name, id] of Object.entries(CHECKS)) $(id).checked = params.get(name) === '1';
  }

  function fill(select, choices) {
    const chosen = new URLSearchParams(window.location.search).get(select.id.slice(2)) || select.value;
    for (const c of choices) {
      const option = document.createElement('option');
      option.value = c.id;
      option.textContent = c.name;
      select.appendChild(option);
    }
    select.value = chosen;
  }

  async function load(more) {
    const params = wanted();
    if (!more) {
      offset = 0;
      history.replaceState(null, '', params.toString() ? '?' + params.toString() : window.location.pathname);
    }
    params.set('limit', String(PAGE));
    params.set('offset', String(offset));
    $('message').textContent = '';
    let reply;
    try {
      reply = await fetch('/api/recordings?' + params.toString(), { headers: { Accept: 'application/json' } });
    } catch (error) {
      $('message').textContent = 'Geen verbinding met de server.';
      return;
    }
    const data = await reply.json().catch(() => ({}));
    if (!reply.ok) {
      $('message').textContent = reply.status === 403 ? 'U mag deze opnames niet beluisteren.'
        : 'Zoeken lukte niet: ' + (data.detail || reply.status);
      return;
    }
    if (!filled) {
      filled = true;
      fill($('f-agent'), data.choices.agents);
      fill($('f-topic'), data.choices.topics);
      fill($('f-municipality'), data.choices.municipalities);
    }
    render(data, more);
  }

  function render(data, more) {
    const rows = $('rows');
    if (!more) rows.replaceChildren();
    for (const r of data.recordings) rows.appendChild(row(r));
    offset = data.offset + data.recordings.length;
    const shown = rows.children.length;
    $('empty').hidden = shown > 0;
    $('more').hidden = !data.more;
    $('count').textContent = shown === 0 ? '' : shown + (data.more ? '+' : '') + ' opname' + (shown === 1 ? '' : 's');
  }

  function row(r) {
    const tr = document.createElement('tr');
    tr.dataset.recording = r.id;
    const cells = [day(r.started_at), clock(r.started_at), r.agent || (r.extension ? 'toestel ' + r.extension : DASH),
      r.topic || DASH, r.municipality || DASH, dur(r.duration_s)];
    cells.forEach((value, i) => {
      const td = document.createElement('td');
      td.textContent = value;
      if (i === 5) td.className = 'num';
      tr.appendChild(td);
    });
    const badges = document.createElement('td');
    for (const [shown, text] of [[r.has_notes, 'notities'], [r.reviewed, 'beoordeeld']]) {
      if (!shown) continue;
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = text;
      badges.appendChild(badge);
    }
    tr.appendChild(badges);
    const td = document.createElement('td');
    const link = document.createElement('a');
    link.href = '/recordings/' + encodeURIComponent(r.id);
    link.className = 'play';
    link.textContent = 'Afspelen';
    td.appendChild(link);
    tr.appendChild(td);
    tr.addEventListener('click', (event) => {
      if (event.target !== link) window.location.href = link.href;
    });
    return tr;
  }

  if (ownAgent) {
    $('title').textContent = 'Mijn opnames';
    $('f-agent-label').hidden = true;
  }
  fromAddress();
  $('filters').addEventListener('submit', (event) => { event.preventDefault(); load(false); });
  $('f-clear').addEventListener('click', () => {
    for (const id of [...Object.values(FIELDS), 'f-min', 'f-max']) $(id).value = '';
    for (const id of Object.values(CHECKS)) $(id).checked = false;
    load(false);
  });
  $('more').addEventListener('click', () => load(true));
  load(false);
}());
