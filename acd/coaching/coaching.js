// The coaching panel of the replay's player page: notes at moments of the call (click one
// to hear that moment), the agent's replies, "besproken met medewerker", and the QA forms
// with their computed score.
//
// The player page leaves <section id="coaching" data-recording="ID"> and an <audio>
// (id player-audio); this script fills the section from /api/recordings/ID/coaching and
// writes through the routes beside it (acd/coaching/routes.py), which decide who may.
// The DOM is built with textContent and classes only (no inline style, no HTML strings),
// so it runs under the page's strict CSP; it may be served as /coaching.js or inlined
// (no HTML end tag and no double braces in it).
'use strict';
(function () {
  const section = document.querySelector('section#coaching');
  if (!section || !section.dataset.recording) return;
  const audio = document.getElementById('player-audio') || document.querySelector('audio');
  const base = '/api/recordings/' + encodeURIComponent(section.dataset.recording);
  const ROLES = { team_lead: 'teamleider', admin: 'beheerder', agent: 'medewerker' };
  const COLOURS = ['green', 'orange', 'red'];
  let data = null;
  let chosenForm = null; // the QA form shown, kept across reloads

  // ---- small helpers ---------------------------------------------------------------------
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(text, cls, onClick) {
    const b = el('button', cls, text);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }

  function moment(seconds) {
    const whole = Math.max(0, Math.floor(seconds));
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const s = String(whole % 60).padStart(2, '0');
    return h ? h + ':' + String(m).padStart(2, '0') + ':' + s : m + ':' + s;
  }

  const when = (iso) => new Date(iso).toLocaleString('nl-NL', { day: 'numeric', month: 'short',
    year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Amsterdam' });
  const day = (iso) => new Date(iso + 'T12:00:00Z').toLocaleDateString('nl-NL', {
    day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam' });
  const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Amsterdam' });
  const comma = (score) => score.toFixed(1).replace('.', ',');

  async function send(method, path, payload) {
    const reply = await fetch(base + path, { method: method, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: payload ? JSON.stringify(payload) : undefined });
    const answer = await reply.json().catch(() => ({}));
    if (!reply.ok) {
      const detail = typeof answer.detail === 'string' ? answer.detail : reply.statusText;
      throw new Error(detail);
    }
    return answer;
  }

  const message = el('p', 'coaching-message');
  message.setAttribute('role', 'status');

  function say(text, trouble) {
    message.textContent = text;
    message.classList.toggle('trouble', Boolean(trouble));
  }

  async function write(path, payload, done) {
    try {
      await send('POST', path, payload);
      say(done);
      await load();
    } catch (error) {
      say('Niet opgeslagen: ' + error.message, true);
    }
  }

  // ---- notes -----------------------------------------------------------------------------
  function seekTo(seconds) {
    if (!audio) return;
    audio.currentTime = seconds;
  }

  function noteItem(note, top) {
    const item = el('li', top ? 'note' : 'note reply');
    item.dataset.note = note.id;
    const head = el('div', 'note-head');
    const at = button(moment(note.at_s), 'moment', () => seekTo(note.at_s));
    at.title = 'Luister vanaf ' + moment(note.at_s);
    head.append(at, el('span', 'author', note.author + ' (' + (ROLES[note.author_role] ||
      note.author_role) + ')'), el('span', 'written', when(note.written_at)));
    item.append(head, el('p', 'note-text', note.text));
    return item;
  }

  function replyBox(parent) {
    const box = el('div', 'reply-box');
    const open = button('Antwoorden', 'link', () => { area.hidden = false; save.hidden = false;
      open.hidden = true; area.focus(); });
    const area = el('textarea', 'reply-text');
    area.maxLength = 2000;
    area.rows = 2;
    area.hidden = true;
    area.setAttribute('aria-label', 'Antwoord op de notitie bij ' + moment(parent.at_s));
    const save = button('Antwoord opslaan', '', () => write('/notes',
      { at_s: parent.at_s, text: area.value, reply_to: parent.id }, 'Antwoord opgeslagen.'));
    save.hidden = true;
    box.append(open, area, save);
    return box;
  }

  function renderNotes() {
    const wrap = el('div', 'coaching-notes');
    wrap.append(el('h3', '', 'Notities'));
    const list = el('ol', 'notes');
    for (const note of data.notes) {
      const item = noteItem(note, true);
      if (note.replies.length) {
        const replies = el('ol', 'replies');
        for (const reply of note.replies) replies.append(noteItem(reply, false));
        item.append(replies);
      }
      if (data.may.reply) item.append(replyBox(note));
      list.append(item);
    }
    if (!data.notes.length) wrap.append(el('p', 'quiet', 'Nog geen notities.'));
    wrap.append(list);
    if (data.may.note) wrap.append(newNote());
    return wrap;
  }

  function newNote() {
    const box = el('div', 'new-note');
    const label = el('label', '', 'Notitie');
    const area = el('textarea', 'note-new-text');
    area.maxLength = 2000;
    area.rows = 3;
    label.append(area);
    const save = button('Notitie op dit moment', 'note-here', () => write('/notes',
      { at_s: audio ? audio.currentTime : 0, text: area.value }, 'Notitie opgeslagen.'));
    const now = el('span', 'note-moment', audio ? 'bij ' + moment(audio.currentTime) : '');
    if (audio) audio.addEventListener('timeupdate', () => {
      now.textContent = 'bij ' + moment(audio.currentTime); });
    box.append(label, save, now);
    return box;
  }

  // ---- besproken -------------------------------------------------------------------------
  function renderDiscussed() {
    const box = el('div', 'coaching-discussed');
    if (data.discussed) {
      box.append(el('p', 'discussed-done', 'Besproken met medewerker op ' +
        day(data.discussed.on) + ' (' + data.discussed.by + ')'));
    } else if (data.may.discussed) {
      const label = el('label', '', 'Besproken op ');
      const input = el('input', 'discussed-on');
      input.type = 'date';
      input.value = today();
      input.max = today();
      label.append(input);
      box.append(label, button('Besproken met medewerker', 'discussed-save', () => write(
        '/discussed', { on: input.value }, 'Gemarkeerd als besproken.')));
    } else {
      box.append(el('p', 'quiet', 'Nog niet besproken met medewerker.'));
    }
    return box;
  }

  // ---- QA forms --------------------------------------------------------------------------
  const items = (form) => form.groups.flatMap((group) => group.items);

  function threshold(form, score) {
    return form.thresholds.find((t) => score >= t.min);
  }

  // The same rule as recordings/qa.py: the weighted mean, one decimal.
  function computed(form, answers) {
    let total = 0;
    let weights = 0;
    for (const item of items(form)) {
      const given = answers[item.id];
      if (given === undefined) return null;
      total += (item.kind === 'yes_no' ? (given === 'yes' ? 100 : 0) : given) * item.weight;
      weights += item.weight;
    }
    return Math.round((total / weights) * 10) / 10;
  }

  function scoreBadge(score, colour, label) {
    const badge = el('span', 'qa-score');
    for (const c of COLOURS) badge.classList.toggle('qa-' + c, c === colour);
    badge.textContent = score === null ? '–' : comma(score) + (label ? ' · ' + label : '');
    return badge;
  }

  function mine(formId) {
    return data.evaluations.find((e) => e.current && e.form_id === formId &&
      e.evaluator === data.me);
  }

  function renderEvaluations() {
    const box = el('div', 'coaching-evaluations');
    box.append(el('h3', '', 'Beoordelingen'));
    if (!data.evaluations.length) box.append(el('p', 'quiet', 'Nog geen beoordeling.'));
    const list = el('ul', 'evaluations');
    const names = Object.fromEntries(data.forms.map((f) => [f.id, f.name]));
    for (const e of data.evaluations.slice().reverse()) {
      const item = el('li', e.current ? 'evaluation' : 'evaluation corrected');
      item.dataset.evaluation = e.id;
      item.append(scoreBadge(e.score, e.colour, e.label), el('span', 'form-name',
        names[e.form_id] || e.form_id), el('span', 'author', e.evaluator),
        el('span', 'written', when(e.submitted_at)));
      if (e.corrects) item.append(el('span', 'quiet', 'correctie'));
      if (!e.current) item.append(el('span', 'corrected-note', 'gecorrigeerd'));
      list.append(item);
    }
    box.append(list);
    if (data.may.evaluate) box.append(qaForm());
    return box;
  }

  function qaForm() {
    const box = el('div', 'qa-form');
    if (!chosenForm || !data.forms.some((f) => f.id === chosenForm)) chosenForm = data.forms[0].id;
    const form = data.forms.find((f) => f.id === chosenForm);
    const own = mine(form.id); // then saving is a correction of it
    const answers = own ? Object.assign({}, own.answers) : {};
    if (data.forms.length > 1) {
      const label = el('label', '', 'Formulier ');
      const select = el('select', 'qa-choice');
      for (const f of data.forms) {
        const option = el('option', '', f.name);
        option.value = f.id;
        option.selected = f.id === form.id;
        select.append(option);
      }
      select.addEventListener('change', () => { chosenForm = select.value; render(); });
      label.append(select);
      box.append(label);
    }
    box.append(el('h4', '', form.name));
    if (own) {
      box.append(el('p', 'quiet', 'U beoordeelde dit gesprek op ' + when(own.submitted_at) +
        '. Opslaan bewaart een correctie; de eerdere beoordeling blijft bewaard.'));
    }
    const total = el('p', 'qa-total');
    const refresh = () => {
      const score = computed(form, answers);
      const t = score === null ? null : threshold(form, score);
      const open = items(form).filter((i) => answers[i.id] === undefined).length;
      total.replaceChildren(el('span', '', 'Score: '), scoreBadge(score, t && t.colour,
        t && t.label), el('span', 'quiet', open ? ' nog ' + open + ' open' : ''));
    };
    for (const group of form.groups) {
      const set = el('fieldset', 'qa-group');
      set.append(el('legend', '', group.name));
      for (const item of group.items) set.append(qaItem(item, answers, refresh));
      box.append(set);
    }
    refresh();
    const save = button(own ? 'Correctie opslaan' : 'Beoordeling opslaan', 'qa-save', () => write(
      '/evaluations', { form_id: form.id, answers: answers, corrects: own ? own.id : null },
      own ? 'Correctie opgeslagen.' : 'Beoordeling opgeslagen.'));
    box.append(total, save);
    return box;
  }

  function qaItem(item, answers, refresh) {
    const row = el('div', 'qa-item');
    row.dataset.item = item.id;
    const text = el('span', 'qa-text', item.text);
    const weight = el('span', 'qa-weight', 'weging ' + item.weight);
    const field = el('span', 'qa-field');
    if (item.kind === 'yes_no') {
      for (const [value, label] of [['yes', 'Ja'], ['no', 'Nee']]) {
        const choice = el('label', 'qa-yes-no');
        const radio = el('input');
        radio.type = 'radio';
        radio.name = 'qa-' + item.id;
        radio.value = value;
        radio.checked = answers[item.id] === value;
        radio.addEventListener('change', () => { answers[item.id] = value; refresh(); });
        choice.append(radio, document.createTextNode(' ' + label));
        field.append(choice);
      }
    } else {
      const input = el('input', 'qa-number');
      input.type = 'number';
      input.min = '0';
      input.max = '100';
      input.step = '1';
      input.setAttribute('aria-label', item.text + ' (0-100)');
      if (answers[item.id] !== undefined) input.value = String(answers[item.id]);
      input.addEventListener('input', () => {
        const n = Number(input.value);
        const whole = input.value !== '' && Number.isInteger(n) && n >= 0 && n <= 100;
        input.classList.toggle('wrong', input.value !== '' && !whole);
        if (whole) answers[item.id] = n; else delete answers[item.id];
        refresh();
      });
      field.append(input);
    }
    row.append(text, weight, field);
    return row;
  }

  // ---- the whole panel -------------------------------------------------------------------
  function render() {
    section.replaceChildren(el('h2', '', 'Coaching'), message, renderDiscussed(), renderNotes(),
      renderEvaluations());
  }

  async function load() {
    try {
      data = await send('GET', '/coaching');
      render();
    } catch (error) {
      section.replaceChildren(el('h2', '', 'Coaching'), message);
      say('Coaching niet geladen: ' + error.message, true);
    }
  }

  load();
})();
