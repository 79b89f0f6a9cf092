// The agent page: one agent's desk, pushed live by the controller.
//
// Every Server-Sent Event is the whole desk (acd/desk/routes.py), so each one re-renders
// the page and a reconnect is whole again with its first event. Between pushes the page
// ticks on its own: the time in state, the after-call-work countdown and the call timer
// are counted from the server's "now", corrected for the screen's clock being off. The
// actions are the control API's routes. The DOM is built with textContent only, never
// innerHTML. This file is inlined in a <script> element: it must not contain an HTML end tag.
'use strict';
(function () {
  const body = document.body;
  const params = new URLSearchParams(window.location.search);
  const agentId = body.dataset.agent || params.get('agent') || '';
  const DASH = '–';
  const STATES = {
    available: 'Beschikbaar', ringing: 'Gaat over', talking: 'In gesprek',
    after_call_work: 'Nawerk', paused: 'Pauze', logged_out: 'Afgemeld',
  };
  const PAUSES = { break: 'pauze', training: 'training', backoffice: 'backofficewerk',
    not_answering: 'niet opgenomen' };
  const LINES = { free: 'vrij', ringing: 'gaat over', in_call: 'in gesprek',
    not_registered: 'telefoon niet aangemeld' };
  const OUTCOMES = { no_input: 'geen keuze', invalid: 'ongeldige keuze' };
  const AVAILABILITY = { available: 'beschikbaar', meeting: 'in overleg', absent: 'afwezig',
    home: 'thuiswerken' };
  let desk = null;
  let offsetMs = 0;
  let poppedCall = null;
  let book = [];
  let consultWith = null;

  const $ = (id) => document.getElementById(id);
  function text(id, value) { $(id).textContent = value == null || value === '' ? DASH : String(value); }
  function dur(s) {
    if (s == null) return DASH;
    const t = Math.max(0, Math.round(s));
    const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = String(t % 60).padStart(2, '0');
    return h > 0 ? h + ':' + String(m).padStart(2, '0') + ':' + sec : m + ':' + sec;
  }
  function serverNow() { return Date.now() - offsetMs; }
  function since(iso) { return iso ? (serverNow() - Date.parse(iso)) / 1000 : null; }
  function clock(iso) {
    return new Date(iso).toLocaleTimeString('nl-NL', { hour: '2-digit', minute: '2-digit',
      timeZone: 'Europe/Amsterdam' });
  }
  function fold(s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); }

  // ---- the desk ------------------------------------------------------------------------
  function render(d) {
    desk = d;
    offsetMs = Date.now() - Date.parse(d.now);
    const a = d.agent;
    text('agent-id', a.id);
    text('agent-name', a.name);
    $('position').textContent = a.position ? 'werkplek ' + a.position : 'niet aangemeld';
    const state = $('state');
    state.dataset.state = a.state;
    let label = STATES[a.state] || a.state;
    if (a.state === 'paused' && a.pause_reason) label += ' (' + (PAUSES[a.pause_reason] || a.pause_reason) + ')';
    state.textContent = label;
    const pending = a.logout_pending ? 'Afmelden na dit gesprek'
      : a.pause_pending ? 'Pauze na dit gesprek' : '';
    $('pending').hidden = !pending;
    $('pending').textContent = pending;
    $('login').hidden = a.state !== 'logged_out';
    $('working').hidden = a.state === 'logged_out';
    $('available').disabled = a.state !== 'paused';
    $('acw').hidden = a.state !== 'after_call_work';
    renderPositions(d.positions, a.state === 'logged_out');
    renderCall(d.call);
    renderNoteForm(d, a.state !== 'logged_out');
    renderToday(d.today);
    tick();
  }

  function renderPositions(positions, show) {
    if (!show) return;
    const select = $('login-position');
    const chosen = select.value;
    select.replaceChildren();
    for (const p of positions) {
      if (!p.open || p.taken_by) continue;
      const option = document.createElement('option');
      option.value = p.id;
      option.textContent = p.id + ' (toestel ' + p.extension + ')';
      select.appendChild(option);
    }
    if (chosen) select.value = chosen;
  }

  function renderCall(c) {
    const card = $('call');
    card.hidden = c == null;
    if (c == null) { poppedCall = null; return; }
    if (poppedCall !== c.id) {
      poppedCall = c.id;
      card.dataset.call = c.id;
      card.dataset.poppedAt = String(Date.now()); // when the caller's screen appeared
    }
    text('pop-municipality', c.municipality);
    text('pop-topic', c.topic);
    // What the caller chose in each menu, in the menu's own words, or that they did not.
    const path = c.ivr_path
      .map((s) => s.choice ? s.digit + ' ' + s.choice : OUTCOMES[s.outcome])
      .filter(Boolean);
    text('pop-path', path.join(' → '));
    text('pop-waited', c.waited_s == null ? null : dur(c.waited_s));
    text('pop-fallback', c.fell_back_from);
    // One button, as #3 on the phone: it shows what runs now and switches it.
    const rec = $('record');
    rec.setAttribute('aria-pressed', c.recording ? 'true' : 'false');
    rec.textContent = c.recording ? 'Opname stoppen' : 'Opnemen';
    rec.classList.toggle('on', !!c.recording);
    $('record-state').textContent = c.recording_trouble ? 'Opname mislukt: ' + c.recording_trouble
      : c.recording ? '● Dit gesprek wordt opgenomen' : c.recorded ? 'Opname gepauzeerd' : '';
    $('record-state').classList.toggle('trouble', !!c.recording_trouble);
    const n = c.calls_last_7_days;
    text('pop-history', n == null ? 'nummer afgeschermd'
      : n === 0 ? 'niet in de afgelopen 7 dagen' : n + ' keer in de afgelopen 7 dagen');
  }

  function renderToday(t) {
    text('t-answered', t.answered);
    text('t-transferred', t.transferred);
    text('t-handling', t.mean_handling_s == null ? null : dur(t.mean_handling_s));
    text('t-talk', dur(t.talk_s));
    text('t-acw', dur(t.after_call_work_s));
    text('t-paused', dur(t.paused_s));
    text('t-logged-in', dur(t.logged_in_s));
  }

  function tick() {
    if (!desk) return;
    const a = desk.agent;
    text('in-state', a.since ? dur(since(a.since)) : null);
    if (a.acw_until) text('acw-left', dur(-since(a.acw_until)));
    const c = desk.call;
    $('call-timer').textContent = c && c.answered_at ? dur(since(c.answered_at)) : '';
  }

  // ---- actions -------------------------------------------------------------------------
  async function act(path, payload) {
    $('message').textContent = '';
    const reply = await fetch('/api/agents/' + agentId + path, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload || {}),
    });
    if (!reply.ok) {
      const problem = await reply.json().catch(() => ({}));
      const detail = typeof problem.detail === 'string' ? problem.detail : reply.statusText;
      $('message').textContent = 'Niet gelukt: ' + detail;
      return false;
    }
    return true;
  }
  $('login-go').addEventListener('click', () => act('/login', { position: $('login-position').value }));
  $('pause').addEventListener('click', () => act('/pause', { reason: $('pause-reason').value }));
  $('available').addEventListener('click', () => act('/available'));
  $('logout').addEventListener('click', () => act('/logout'));
  $('acw-end').addEventListener('click', () => act('/after-call-work/end'));
  $('acw-extend').addEventListener('click', () => act('/after-call-work/extend', { seconds: 60 }));
  $('record').addEventListener('click', () => {
    const on = $('record').getAttribute('aria-pressed') !== 'true';
    act('/recording', { on: on });
  });

  // ---- callback notes ------------------------------------------------------------------
  let noteCall = null; // the call the note form was last filled in for

  function renderNoteForm(d, show) {
    $('note').hidden = !show;
    const select = $('note-department');
    if (!select.options.length) {
      for (const dep of d.departments) {
        const option = document.createElement('option');
        option.value = dep.id;
        option.textContent = dep.name;
        select.appendChild(option);
      }
      fillColleagues();
    }
    const callId = d.call ? d.call.id : null;
    if (callId && callId !== noteCall) { // a new caller: a fresh form for them
      noteCall = callId;
      for (const id of ['note-name', 'note-number', 'note-question']) $(id).value = '';
      $('note-result').textContent = '';
    }
  }

  function fillColleagues() {
    const dep = desk.departments.find((x) => x.id === $('note-department').value);
    const select = $('note-extension');
    select.replaceChildren(select.options[0] || new Option('de hele afdeling', ''));
    select.options[0].textContent = 'de hele afdeling';
    select.options[0].value = '';
    for (const c of dep ? dep.colleagues : []) {
      const option = document.createElement('option');
      option.value = c.extension;
      option.textContent = c.name + ' (' + c.extension + ')';
      select.appendChild(option);
    }
  }
  $('note-department').addEventListener('change', fillColleagues);

  $('note-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const call = desk && desk.call;
    const payload = {
      department: $('note-department').value,
      extension: $('note-extension').value || null,
      caller_name: $('note-name').value,
      callback_number: $('note-number').value,
      question: $('note-question').value,
      topic: call ? call.topic_id : null,
      municipality: call ? call.municipality_id : null,
      call_id: call ? call.id : '',
    };
    const result = $('note-result');
    const reply = await fetch('/api/agents/' + agentId + '/callback-notes', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const answer = await reply.json().catch(() => ({}));
    result.dataset.ok = String(reply.ok);
    if (reply.ok) {
      result.textContent = 'Opgeslagen; terugbellen uiterlijk ' + new Date(answer.due)
        .toLocaleString('nl-NL', { weekday: 'long', day: 'numeric', month: 'long',
          hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Amsterdam' }) + '.';
      for (const id of ['note-name', 'note-number', 'note-question']) $(id).value = '';
    } else {
      const detail = typeof answer.detail === 'string' ? answer.detail : 'controleer de velden';
      result.textContent = 'Niet opgeslagen: ' + detail;
    }
  });

  // ---- the phonebook -------------------------------------------------------------------
  function presence(e) {
    let words = LINES[e.line] || e.line;
    if (e.availability !== 'available') {
      words += ', ' + (AVAILABILITY[e.availability] || e.availability);
      if (e.until) words += ' tot ' + clock(e.until);
    }
    return words;
  }

  function renderBook() {
    const words = fold($('book-search').value).split(/\s+/).filter(Boolean);
    const list = $('book');
    list.replaceChildren();
    for (const e of book) {
      const hay = fold([e.name, e.department, e.role || '', e.extension].join(' '));
      if (!words.every((w) => hay.includes(w))) continue;
      const item = document.createElement('li');
      item.tabIndex = 0;
      item.dataset.extension = e.extension;
      const name = document.createElement('strong');
      name.textContent = e.name;
      const ext = document.createElement('span');
      ext.textContent = e.extension;
      const meta = document.createElement('span');
      meta.className = 'meta';
      meta.textContent = e.department + (e.role ? ' · ' + e.role : '');
      const state = document.createElement('span');
      state.className = 'presence';
      state.dataset.reachable = String(e.reachable);
      state.dataset.line = e.line;
      state.textContent = presence(e);
      item.append(name, ext, meta, state);
      item.addEventListener('click', () => transfer(e));
      item.addEventListener('keydown', (k) => { if (k.key === 'Enter') transfer(e); });
      list.appendChild(item);
    }
  }

  async function transfer(e) {
    if (!desk || desk.agent.state !== 'talking') {
      $('message').textContent = 'Doorverbinden kan alleen tijdens een gesprek.';
      return;
    }
    if (await act('/transfer', { extension: e.extension })) {
      consultWith = e;
      $('consult').hidden = false;
      text('consult-with', e.name + ' (' + e.extension + ')');
    }
  }
  async function endConsult(path) {
    if (await act(path)) { consultWith = null; $('consult').hidden = true; }
  }
  $('consult-complete').addEventListener('click', () => endConsult('/transfer/complete'));
  $('consult-cancel').addEventListener('click', () => endConsult('/transfer/cancel'));
  $('book-search').addEventListener('input', renderBook);

  // ---- live ----------------------------------------------------------------------------
  function follow(url, onSnapshot) {
    const source = new EventSource(url);
    source.onopen = () => { body.dataset.connection = 'open'; $('banner').hidden = true; };
    source.onerror = () => { body.dataset.connection = 'lost'; $('banner').hidden = false; };
    source.onmessage = (m) => onSnapshot(JSON.parse(m.data));
  }

  if (!agentId) {
    $('choose').hidden = false;
    $('choose-go').addEventListener('click', () => {
      window.location.search = '?agent=' + encodeURIComponent($('choose-agent').value);
    });
    return;
  }
  follow('/api/agents/' + encodeURIComponent(agentId) + '/desk/stream', render);
  follow('/api/phonebook/stream', (s) => { book = s.entries; renderBook(); });
  window.setInterval(tick, 1000);
})();
