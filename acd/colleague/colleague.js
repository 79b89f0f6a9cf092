// The back-office colleague's page: their own status, and the callback notes for them.
//
// The notes are read from /api/callback-notes (only the addressee, team leads and the
// admin may) every 30 s and after each change; overdue ones stand out, each is closed
// with an outcome. The status is the phonebook's, followed live on its stream. The DOM
// is built with textContent only. Inlined in a <script> element: no HTML end tag here.
'use strict';
(function () {
  const extension = document.body.dataset.extension;
  const $ = (id) => document.getElementById(id);
  const STATUS = { available: 'beschikbaar', meeting: 'in overleg', absent: 'afwezig',
    home: 'thuiswerken' };
  const LINES = { free: 'vrij', ringing: 'gaat over', in_call: 'in gesprek',
    not_registered: 'niet aangemeld' };
  const OUTCOMES = [['called_back', 'Teruggebeld'], ['not_reached', 'Niet bereikt'],
    ['otherwise', 'Anders afgehandeld']];
  const when = (iso) => new Date(iso).toLocaleString('nl-NL', { weekday: 'short', day: 'numeric',
    month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Amsterdam' });

  async function send(method, url, payload) {
    const reply = await fetch(url, { method: method, headers: { 'Content-Type': 'application/json' },
      body: payload ? JSON.stringify(payload) : undefined });
    const answer = await reply.json().catch(() => ({}));
    if (!reply.ok) throw new Error(typeof answer.detail === 'string' ? answer.detail : reply.statusText);
    return answer;
  }

  // ---- the notes -----------------------------------------------------------------------
  async function loadNotes() {
    try {
      const data = await send('GET', '/api/callback-notes?state=open');
      renderNotes(data.notes);
      $('notes-message').textContent = '';
    } catch (error) {
      $('notes-message').textContent = 'Notities niet geladen: ' + error.message;
    }
  }

  function line(label, value, cls) {
    const p = document.createElement('p');
    if (cls) p.className = cls;
    const b = document.createElement('span');
    b.className = 'quiet';
    b.textContent = label + ': ';
    const v = document.createElement('span');
    v.textContent = value;
    p.append(b, v);
    return p;
  }

  function renderNotes(notes) {
    const list = $('notes');
    list.replaceChildren();
    const late = notes.filter((n) => n.overdue).length;
    $('open-count').textContent = '(' + notes.length + ')';
    $('late-count').hidden = late === 0;
    $('late-count').textContent = late + ' te laat';
    $('no-notes').hidden = notes.length > 0;
    for (const n of notes) {
      const item = document.createElement('li');
      item.dataset.note = n.id;
      item.dataset.overdue = String(n.overdue);
      const head = document.createElement('div');
      head.className = 'head';
      const who = document.createElement('strong');
      who.textContent = n.caller_name;
      const due = document.createElement('span');
      due.className = 'due';
      due.textContent = (n.overdue ? 'Te laat, was uiterlijk ' : 'Uiterlijk ') + when(n.due);
      head.append(who, due);
      const number = line('Terugbellen op', n.callback_number, 'number-line');
      number.lastChild.className = 'number';
      const question = line('Vraag', n.question);
      question.lastChild.className = 'question';
      const about = line('Voor', (n.extension ? 'toestel ' + n.extension : 'de hele afdeling') +
        (n.topic ? ' · ' + n.topic : '') + ' · van agent ' + n.agent_id + ', ' + when(n.created_at));
      const row = document.createElement('div');
      row.className = 'row';
      const outcome = document.createElement('select');
      outcome.className = 'outcome';
      for (const [value, label] of OUTCOMES) outcome.appendChild(new Option(label, value));
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'close';
      close.textContent = 'Afgehandeld';
      close.addEventListener('click', async () => {
        try {
          await send('POST', '/api/callback-notes/' + n.id + '/done', { outcome: outcome.value });
          await loadNotes();
        } catch (error) {
          $('notes-message').textContent = 'Niet afgehandeld: ' + error.message;
        }
      });
      row.append(outcome, close);
      item.append(head, number, question, about, row);
      list.appendChild(item);
    }
  }

  // ---- my status -----------------------------------------------------------------------
  function untilIso() {
    const value = $('status-until').value; // HH:MM, today, in the screen's own time zone
    if (!value) return null;
    const [h, m] = value.split(':').map(Number);
    const at = new Date();
    at.setHours(h, m, 0, 0);
    return at.toISOString().replace('Z', '+00:00');
  }
  $('status-choice').addEventListener('change', () => {
    $('until-label').hidden = $('status-choice').value !== 'absent';
  });
  $('status-save').addEventListener('click', async () => {
    const availability = $('status-choice').value;
    const payload = { availability: availability,
      until: availability === 'absent' ? untilIso() : null };
    try {
      await send('PUT', '/api/phonebook/' + extension + '/status', payload);
      $('status-message').textContent = '';
    } catch (error) {
      $('status-message').textContent = 'Status niet gezet: ' + error.message;
    }
  });

  function followStatus() {
    const source = new EventSource('/api/phonebook/stream');
    source.onmessage = (m) => {
      const me = JSON.parse(m.data).entries.find((e) => e.extension === extension);
      if (!me) return;
      let now = STATUS[me.availability] || me.availability;
      if (me.until) now += ' tot ' + new Date(me.until).toLocaleTimeString('nl-NL',
        { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Amsterdam' });
      $('status-now').textContent = now;
      $('line-now').textContent = LINES[me.line] || me.line;
    };
  }

  if (extension) {
    $('status-card').hidden = false;
    $('my-extension').textContent = '· toestel ' + extension;
    followStatus();
  }
  loadNotes();
  window.setInterval(loadNotes, 30000);
})();
