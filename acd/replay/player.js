// The player: one recording's two voices as waveforms, the call's timeline on the same
// time axis, an audio element streaming the decrypted WAV by byte range.
//
// GET /api/recordings/{id} gives the facts, the timeline (each mark's audio time, or
// the nearest boundary for a mark outside the recording) and the signals; .../waveform
// the peak envelopes, drawn on two canvases (the agent above, the caller below), both
// scaled by the louder channel so the voices stay comparable. A click on a waveform or a
// mark seeks; the playhead follows the audio. The audio is fetched only on play
// (preload none): every listen is on the audit log. The DOM is built with textContent
// only, never innerHTML. This file is inlined in a <script> element: it must not contain
// an HTML end tag.
'use strict';
(function () {
  const body = document.body;
  const id = body.dataset.recording;
  const zone = body.dataset.zone || 'Europe/Amsterdam';
  const DASH = '–';
  const KINDS = {
    'call.started': 'Oproep', 'call.not_answered': 'Niet opgenomen',
    'backoffice.not_answered': 'Backoffice niet opgenomen',
    'call.ivr_step': 'Keuzemenu', 'call.queued': 'In de wachtrij', 'call.announced': 'Wachtmelding',
    'call.offered': 'Gaat over', 'call.answered': 'Aangenomen', 'backoffice.ringing': 'Backoffice gaat over',
    'backoffice.answered': 'Backoffice opgenomen', 'call.transferred': 'Doorverbonden',
    'call.recording': 'Opname', 'call.ended': 'Einde gesprek',
  };
  const COLOURS = { agent: '#0b3d63', caller: '#b35900' };
  const audio = document.getElementById('audio');
  let duration = 0;
  let envelope = null;

  const $ = (name) => document.getElementById(name);
  function text(name, value) { $(name).textContent = value == null || value === '' ? DASH : String(value); }
  function dur(s) {
    const t = Math.max(0, Math.round(s));
    const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = String(t % 60).padStart(2, '0');
    return h > 0 ? h + ':' + String(m).padStart(2, '0') + ':' + sec : m + ':' + sec;
  }
  function seconds(s) { return s.toLocaleString('nl-NL', { maximumFractionDigits: 1 }) + ' s'; }
  function when(iso) {
    return new Date(iso).toLocaleString('nl-NL', { weekday: 'long', day: 'numeric', month: 'long',
      year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: zone });
  }
  function say(message) { $('message').textContent = message; }

  async function json(url) {
    const reply = await fetch(url, { headers: { Accept: 'application/json' } });
    const data = await reply.json().catch(() => ({}));
    if (!reply.ok) throw new Error(reply.status === 404 ? 'Deze opname bestaat niet (meer).'
      : reply.status === 403 ? 'U mag deze opname niet beluisteren.'
      : 'De opname kon niet worden geladen: ' + (data.detail || reply.status));
    return data;
  }

  // ---- facts and signals ---------------------------------------------------------------
  function facts(d) {
    const r = d.recording;
    duration = r.duration_s;
    text('fact-date', when(r.started_at));
    text('fact-agent', r.agent || (r.extension ? 'toestel ' + r.extension : null));
    text('fact-topic', r.topic);
    text('fact-municipality', r.municipality);
    text('fact-duration', dur(r.duration_s));
    document.title = 'Opname ' + when(r.started_at) + ' – ' + (r.agent || '');
    if (d.urls.download) {
      $('download').href = d.urls.download;
      $('download-box').hidden = false;
    }
    const s = d.signals;
    $('signals').hidden = s == null;
    $('sig-none').hidden = s != null;
    if (s == null) return;
    text('sig-share', s.agent_talk_share == null ? null : Math.round(s.agent_talk_share * 100) + ' %');
    text('sig-silence', seconds(s.longest_silence_s));
    text('sig-hold', seconds(s.hold_s));
    text('sig-overtalk', s.overtalk_count + ' keer, ' + seconds(s.overtalk_s));
    text('sig-talk', seconds(s.agent_talk_s) + ' / ' + seconds(s.caller_talk_s));
  }

  // ---- the timeline --------------------------------------------------------------------
  function kindName(kind) { return KINDS[kind] || kind; }

  function marks(list) {
    const strip = $('marker-strip');
    const items = $('marks');
    strip.replaceChildren();
    for (const tick of document.querySelectorAll('.tick')) tick.remove();
    items.replaceChildren();
    $('marks-none').hidden = list.length > 0;
    list.forEach((m) => {
      const outside = m.audio_s == null;
      const where = outside ? 'buiten de opname' : dur(m.audio_s);
      const marker = document.createElement('button');
      marker.type = 'button';
      marker.className = 'marker' + (outside ? ' outside' : '');
      marker.dataset.kind = m.kind;
      marker.dataset.at = String(m.near_s);
      marker.textContent = kindName(m.kind);
      marker.title = kindName(m.kind) + ' · ' + where + (m.label ? ' · ' + m.label : '');
      marker.addEventListener('click', (event) => { event.stopPropagation(); seek(m.near_s); });
      strip.appendChild(marker);
      const tick = document.createElement('div');
      tick.className = 'tick' + (outside ? ' outside' : '');
      tick.dataset.at = String(m.near_s);
      $('axis').appendChild(tick);
      items.appendChild(entry(m, outside));
    });
    layMarkers();
  }

  // Each marker's flag starts at its moment (or ends there near the right edge); flags
  // that would overlap go on a row below, and the strip grows to hold the rows.
  function layMarkers() {
    const axis = $('axis');
    const width = axis.clientWidth;
    if (width === 0) return;
    const rows = [];
    const placed = [...document.querySelectorAll('#marker-strip .marker')]
      .map((marker) => ({ marker, x: position(Number(marker.dataset.at)) * width }))
      .sort((a, b) => a.x - b.x);
    for (const { marker, x } of placed) {
      const size = marker.offsetWidth;
      const left = Math.max(0, Math.min(x, width - size));
      let row = rows.findIndex((end) => end + 4 <= left);
      if (row < 0) { rows.push(0); row = rows.length - 1; }
      rows[row] = left + size;
      marker.style.left = left + 'px';
      marker.style.top = (0.15 + row * 1.45) + 'rem';
    }
    const strip = (0.3 + Math.max(1, rows.length) * 1.45) + 'rem';
    document.querySelector('.track').style.setProperty('--strip', strip);
    for (const tick of document.querySelectorAll('.tick')) {
      tick.style.left = (position(Number(tick.dataset.at)) * 100) + '%';
    }
  }

  function position(s) {
    const length = total();
    return length > 0 ? Math.max(0, Math.min(1, s / length)) : 0;
  }

  function entry(m, outside) {
    const li = document.createElement('li');
    li.tabIndex = 0;
    li.dataset.kind = m.kind;
    li.dataset.at = String(m.near_s);
    if (outside) li.className = 'outside';
    const at = document.createElement('span');
    at.className = 'at';
    at.textContent = outside ? '(' + dur(m.near_s) + ')' : dur(m.audio_s);
    at.title = outside ? 'Buiten de opname; het dichtstbijzijnde moment erin' : 'Tijd in de opname';
    const kind = document.createElement('span');
    kind.className = 'kind';
    kind.textContent = kindName(m.kind);
    const label = document.createElement('span');
    label.className = 'label';
    const clockTime = new Date(m.at).toLocaleTimeString('nl-NL',
      { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: zone });
    label.textContent = [m.label, clockTime].filter(Boolean).join(' · ');
    li.append(at, kind, label);
    li.addEventListener('click', () => seek(m.near_s));
    li.addEventListener('keydown', (event) => { if (event.key === 'Enter') seek(m.near_s); });
    return li;
  }

  // ---- the waveforms -------------------------------------------------------------------
  function draw() {
    if (envelope == null) return;
    const loudest = Math.max(0.05, ...envelope.agent, ...envelope.caller);
    for (const [channel, canvas] of [['agent', $('wave-agent')], ['caller', $('wave-caller')]]) {
      const ratio = window.devicePixelRatio || 1;
      const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
      const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d');
      g.clearRect(0, 0, width, height);
      g.fillStyle = COLOURS[channel];
      const peaks = envelope[channel];
      const middle = height / 2;
      g.fillRect(0, middle - ratio / 2, width, ratio);
      for (let x = 0; x < width; x++) {
        const from = Math.floor((x / width) * peaks.length);
        const to = Math.max(from + 1, Math.floor(((x + 1) / width) * peaks.length));
        let peak = 0;
        for (let i = from; i < to && i < peaks.length; i++) peak = Math.max(peak, peaks[i]);
        const half = Math.min(1, peak / loudest) * (middle - 2);
        g.fillRect(x, middle - half, 1, 2 * half);
      }
      canvas.dataset.drawn = 'true';
    }
  }

  // ---- playing -------------------------------------------------------------------------
  function total() { return Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : duration; }

  function seek(s) {
    audio.currentTime = Math.max(0, Math.min(s, total()));
    follow();
  }

  function follow() {
    const length = total();
    const now = audio.currentTime || 0;
    $('playhead').style.left = (position(now) * 100) + '%';
    $('clock').textContent = dur(now) + ' / ' + dur(length);
    $('play').textContent = audio.paused ? '▶ Afspelen' : '❚❚ Pauze';
  }

  function animate() {
    follow();
    if (!audio.paused) requestAnimationFrame(animate);
  }

  function toggle() {
    if (audio.paused) {
      audio.play().catch((error) => say('Afspelen lukte niet: ' + error.message));
    } else {
      audio.pause();
    }
  }

  $('axis').addEventListener('click', (event) => {
    const box = $('axis').getBoundingClientRect();
    if (box.width > 0) seek(((event.clientX - box.left) / box.width) * total());
  });
  $('play').addEventListener('click', toggle);
  for (const button of document.querySelectorAll('.speeds button')) {
    button.addEventListener('click', () => {
      audio.playbackRate = Number(button.dataset.speed);
      for (const other of document.querySelectorAll('.speeds button')) {
        other.setAttribute('aria-pressed', other === button ? 'true' : 'false');
      }
    });
  }
  document.addEventListener('keydown', (event) => {
    if (event.key === ' ' && event.target === document.body) { event.preventDefault(); toggle(); }
  });
  audio.addEventListener('play', animate);
  audio.addEventListener('loadedmetadata', layMarkers);
  for (const name of ['pause', 'seeked', 'timeupdate', 'loadedmetadata', 'ended']) {
    audio.addEventListener(name, follow);
  }
  audio.addEventListener('error', () => say('De opname kon niet worden afgespeeld.'));
  window.addEventListener('resize', () => { draw(); layMarkers(); });

  async function start() {
    try {
      const d = await json('/api/recordings/' + encodeURIComponent(id));
      facts(d);
      marks(d.timeline);
      audio.src = d.urls.audio;
      $('play').disabled = false;
      follow();
      const points = Math.min(4000, Math.max(200, Math.round($('axis').clientWidth * (window.devicePixelRatio || 1))));
      envelope = await json(d.urls.waveform + '?points=' + points);
      draw();
    } catch (error) {
      say(error.message);
    }
  }
  start();
}());
