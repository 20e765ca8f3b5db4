// The page of `earshot serve`: the microphone (or a WAV file) streams over WS /v1/listen as 16-bit little-endian
// mono PCM at the browser's own rate; the server answers with JSON (ready, posteriors, detection, error, reset),
// shown as a bar per keyword and a log of what was heard. Element ids and data-* attributes are the page's interface
// to its test (BrowserPageTest): keep them stable.

const ui = {
  model: document.getElementById('model'),
  start: document.getElementById('start'),
  stop: document.getElementById('stop'),
  file: document.getElementById('file'),
  drop: document.getElementById('drop'),
  status: document.getElementById('status'),
  clock: document.getElementById('clock'),
  problem: document.getElementById('problem'),
  bars: document.getElementById('bars'),
  log: document.getElementById('log'),
  logEmpty: document.getElementById('log-empty'),
};

const BLOCK_SECONDS = 0.05;       // audio per worklet block: the delay it adds, against 20 messages a second
const FILE_CHUNK_SECONDS = 0.1;   // a file's audio per message
const MAX_BUFFERED_BYTES = 1 << 20;
// A file goes faster than real time but within the server's speed limit (ready.max_speed: by default 10 s of audio a
// second, with 5 s' worth of that allowed at once): 5 s at once, then 8 s a second, less under a lower limit.
const FILE_BURST_SECONDS = 5;
const FILE_SPEED = 8;
const SPEED_WINDOW_SECONDS = 5;   // the server's averaging window
const NON_WAV_RATE = 48000;       // decodeAudioData's rate for formats whose rate this page does not read

let models = new Map();  // name → its entry in GET /v1/models
let bars = new Map();    // keyword → {row, meter, fill, value, threshold}
let session = null;      // the stream running now: {stop()}

// ---------------------------------------------------------------------------------------------------------------
// Showing things

function element(tag, attributes = {}, text) {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) e.setAttribute(name, value);
  if (text !== undefined) e.textContent = text;
  return e;
}

function setStatus(state, text) {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

function showProblem(text) {
  ui.problem.textContent = text;
  ui.problem.hidden = !text;
}

function setRunning(running) {
  ui.start.disabled = running || models.size === 0;
  ui.stop.disabled = !running;
  ui.model.disabled = running || models.size === 0;
  ui.file.disabled = running;
}

function showClock(ms, text) {
  ui.clock.dataset.heardMs = String(ms);
  ui.clock.textContent = text;
}

/** A model's detection threshold for a keyword, from its GET /v1/models entry, or NaN when it gives none. */
function thresholdOf(model, label) {
  const d = (model && model.detection) || {};
  return Number(d['detection.threshold.' + label] ?? d['detection.threshold']);
}

function showBars(keywords, model) {
  bars = new Map();
  ui.bars.replaceChildren(...keywords.map((label, i) => {
    const row = element('li', {class: 'bar', 'data-label': label});
    const name = element('span', {class: 'bar-label', id: 'bar-' + i}, label);
    const meter = element('div', {class: 'meter', role: 'meter', 'aria-labelledby': name.id,
      'aria-valuemin': '0', 'aria-valuemax': '1', 'aria-valuenow': '0'});
    const fill = element('div', {class: 'fill'});
    meter.append(fill);
    const threshold = thresholdOf(model, label);
    if (threshold > 0) {
      meter.append(element('div', {class: 'threshold', style: `left: ${threshold * 100}%`,
        title: `threshold ${threshold}`, 'data-threshold': String(threshold)}));
    }
    const value = element('span', {class: 'bar-value'}, '0.00');
    row.append(name, meter, value);
    bars.set(label, {row, meter, fill, value, threshold});
    return row;
  }));
}

function showScores(scores) {
  for (const [label, bar] of bars) {
    const score = scores[label];
    if (typeof score !== 'number') continue;
    bar.fill.style.width = `${Math.min(100, Math.max(0, score * 100)).toFixed(1)}%`;
    bar.value.textContent = score.toFixed(2);
    bar.meter.setAttribute('aria-valuenow', score.toFixed(3));
    bar.row.classList.toggle('over', score >= bar.threshold);
  }
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A detection at the top of the log; {@code source} is 'microphone' or 'file', {@code name} what to show for it. */
function logDetection(detection, source, name) {
  const item = element('li', {'data-label': detection.label, 'data-time-ms': String(detection.time_ms),
    'data-confidence': String(detection.confidence), 'data-source': source});
  item.append(
    element('time', {datetime: `PT${detection.time_ms / 1000}S`}, seconds(detection.time_ms)),
    element('strong', {}, detection.label),
    element('span', {class: 'confidence', title: 'confidence'}, detection.confidence.toFixed(2)),
    element('span', {class: 'source'}, name));
  ui.log.prepend(item);
  ui.logEmpty.hidden = true;
  const bar = bars.get(detection.label);
  if (bar) {  // restarted, so that two detections in a row flash twice
    bar.row.classList.remove('hit');
    void bar.row.offsetWidth;
    bar.row.classList.add('hit');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The stream

/**
 * Float samples in [-1, 1] as 16-bit little-endian PCM, scaled by 32768 below zero and 32767 above: the inverse of
 * Chromium's decoding of 16-bit audio, so that a 16-bit WAV goes out as the samples it holds.
 */
function toPcm16(samples) {
  const pcm = new DataView(new ArrayBuffer(samples.length * 2));
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] < -1 ? -1 : samples[i] > 1 ? 1 : samples[i];
    pcm.setInt16(2 * i, Math.round(s < 0 ? s * 32768 : s * 32767), true);
  }
  return pcm.buffer;
}

/**
 * One WS /v1/listen stream. Audio given before the server is ready is queued, so that the first words are not lost
 * while the socket opens; what the server sends is shown as it comes; its close reason is shown when it closes.
 */
class Stream {
  constructor(model, rate, source, name) {
    this.source = source;
    this.name = name;
    this.queue = [];
    this.opened = false;
    this.ready = false;
    this.closing = false;
    this.onready = () => {};
    this.onheard = () => {};
    this.onreset = () => {};
    this.onclosed = () => {};
    const url = new URL('v1/listen', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = new URLSearchParams({model, rate: String(rate), posteriors: 'true'}).toString();
    this.socket = new WebSocket(url);
    this.socket.binaryType = 'arraybuffer';
    this.socket.onopen = () => { this.opened = true; };
    this.socket.onmessage = (e) => this.receive(e.data);
    this.socket.onclose = (e) => this.closed(e);
  }

  send(samples) {
    const pcm = toPcm16(samples);
    if (this.ready) this.socket.send(pcm);
    else this.queue.push(pcm);
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch (e) {
      showProblem(`The server sent something that is not JSON: ${String(text).slice(0, 100)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        showBars(message.keywords, models.get(message.model));
        for (const pcm of this.queue) this.socket.send(pcm);
        this.queue = [];
        this.onready(message);
        break;
      case 'posteriors':
        showScores(message.scores);
        this.onheard(message.time_ms);
        break;
      case 'detection':
        logDetection(message, this.source, this.name);
        break;
      case 'error':
        showProblem(`The server: ${message.error}`);
        break;
      case 'reset':
        this.onreset();
        break;
      default:
        break;  // a message type newer than this page
    }
  }

  closed(event) {
    const why = `${event.code}${event.reason ? ': ' + event.reason : ''}`;
    if (!this.closing) {
      setStatus('closed', this.opened ? `The server closed the stream (${why}).`
        : `Cannot connect to WS /v1/listen (${why}): is the server still running?`);
    }
    this.onclosed(this.closing);
  }

  close() {
    this.closing = true;
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) {
      this.socket.close(1000, 'stopped');
    }
  }
}

/** Ends the running stream, if any, and waits until its socket has closed. */
async function stopSession() {
  const running = session;
  if (running) await running.stop();
}

// ---------------------------------------------------------------------------------------------------------------
// The microphone

async function startMicrophone() {
  await stopSession();
  showProblem('');
  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia) || !window.AudioWorkletNode) {
    setStatus('error', 'This browser gives the microphone only to a secure page: open this one as '
      + `http://localhost:${location.port || 80}/ on the machine running earshot serve, or over HTTPS. `
      + 'A WAV file works from anywhere.');
    return;
  }
  const model = ui.model.value;
  let stopped = false, stopHere = () => { stopped = true; };
  const mine = {stop: () => stopHere()};
  session = mine;
  setRunning(true);
  setStatus('connecting', 'Asking for the microphone…');
  let media, context;
  try {
    // The graph is made ready first: the microphone's audio before it is connected is lost.
    context = new AudioContext();  // at the device's rate: the server converts
    await context.audioWorklet.addModule('capture-worklet.js');
    // The raw signal: echo cancellation, noise suppression and gain control are made for calls, not for a model
    // trained on plain recordings.
    media = await navigator.mediaDevices.getUserMedia({audio: {channelCount: 1, echoCancellation: false,
      noiseSuppression: false, autoGainControl: false}});
  } catch (e) {
    if (media) media.getTracks().forEach((t) => t.stop());
    if (context) context.close();
    if (session === mine) session = null;
    setRunning(false);
    setStatus('error', `No microphone: ${e.name}: ${e.message}`);
    return;
  }
  const release = () => {
    media.getTracks().forEach((t) => t.stop());
    context.close();
  };
  if (stopped) {  // Stop was pressed while the browser asked
    release();
    if (session === mine) session = null;
    setRunning(false);
    setStatus('stopped', 'Stopped.');
    return;
  }
  const stream = new Stream(model, context.sampleRate, 'microphone', 'microphone');
  const input = context.createMediaStreamSource(media);
  const capture = new AudioWorkletNode(context, 'earshot-capture', {numberOfInputs: 1, numberOfOutputs: 1,
    outputChannelCount: [1], processorOptions: {blockFrames: Math.round(context.sampleRate * BLOCK_SECONDS)}});
  capture.port.onmessage = (e) => stream.send(e.data);
  // The destination pulls the graph; the worklet's output stays silent, so nothing is played back.
  input.connect(capture).connect(context.destination);
  context.resume();
  setStatus('connecting', `Connecting (model ${model}, ${context.sampleRate} Hz)…`);
  stream.onready = (ready) => setStatus('listening', `Listening to the microphone at ${ready.rate} Hz with model `
    + `${ready.model} (${ready.model_rate} Hz).`);
  stream.onheard = (ms) => showClock(ms, `heard up to ${seconds(ms)}`);
  let socketClosed;
  const closedNow = new Promise((resolve) => { socketClosed = resolve; });
  stream.onclosed = (ours) => {
    capture.port.onmessage = null;
    release();
    if (session === mine) session = null;
    setRunning(false);
    if (ours) setStatus('stopped', 'Stopped.');
    socketClosed();
  };
  stopHere = () => {
    stream.close();
    return closedNow;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A file

/** The sample rate in a RIFF/WAVE file's fmt chunk, or null for another format. */
function wavRate(bytes) {
  const v = new DataView(bytes);
  const tag = (at) => String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
  if (v.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return null;
  for (let at = 12; at + 8 <= v.byteLength; ) {
    const size = v.getUint32(at + 4, true);
    if (tag(at) === 'fmt ') return at + 16 <= v.byteLength ? v.getUint32(at + 12, true) : null;
    at += 8 + size + (size & 1);
  }
  return null;
}

function mono(audio) {
  if (audio.numberOfChannels === 1) return audio.getChannelData(0);
  const out = new Float32Array(audio.length);
  for (let c = 0; c < audio.numberOfChannels; c++) {
    const channel = audio.getChannelData(c);
    for (let i = 0; i < out.length; i++) out[i] += channel[i] / audio.numberOfChannels;
  }
  return out;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function streamFile(file) {
  await stopSession();
  showProblem('');
  const model = ui.model.value;
  let stopped = false;
  const mine = {stop: () => { stopped = true; }};  // until the stream opens
  session = mine;
  setRunning(true);
  setStatus('connecting', `Decoding ${file.name}…`);
  let audio;
  try {
    const bytes = await file.arrayBuffer();
    // decodeAudioData converts to its context's rate: decoding a WAV at its own rate sends the recording's own
    // samples, and the server converts once, as it does for `earshot listen --input`.
    const decoder = new OfflineAudioContext(1, 1, wavRate(bytes) ?? NON_WAV_RATE);
    audio = await decoder.decodeAudioData(bytes);
  } catch (e) {
    if (session === mine) session = null;
    setRunning(false);
    setStatus('error', `Cannot decode ${file.name}: ${e.message || e.name}`);
    return;
  }
  if (stopped) {  // Stop was pressed while decoding
    if (session === mine) session = null;
    setRunning(false);
    setStatus('stopped', `Stopped before sending ${file.name}.`);
    return;
  }
  const samples = mono(audio);
  const durationMs = audio.duration * 1000;
  const stream = new Stream(model, audio.sampleRate, 'file', file.name);
  let heardAll = false;
  stream.onheard = (ms) => showClock(ms, `heard up to ${seconds(ms)} of ${seconds(durationMs)}`);
  // The server answers a reset after everything it had to say about the audio before it: the whole file is heard.
  stream.onreset = () => {
    heardAll = true;
    stream.close();
  };
  stream.onready = async (ready) => {
    setStatus('sending', `Sending ${file.name} (${seconds(durationMs)}, ${ready.rate} Hz) to model ${ready.model}…`);
    const chunk = Math.max(1, Math.round(audio.sampleRate * FILE_CHUNK_SECONDS));
    const limit = ready.max_speed > 0 ? ready.max_speed : FILE_SPEED / 0.8;
    const speed = Math.min(FILE_SPEED, 0.8 * limit);
    const burst = Math.min(FILE_BURST_SECONDS, 0.5 * limit * SPEED_WINDOW_SECONDS);
    const started = performance.now();
    for (let i = 0; i < samples.length && !stream.closing; i += chunk) {
      stream.send(samples.subarray(i, i + chunk));
      const sent = Math.min(samples.length, i + chunk) / audio.sampleRate;
      const due = started + 1000 * Math.max(0, sent - burst) / speed;
      if (due > performance.now()) await sleep(due - performance.now());
      while (stream.socket.bufferedAmount > MAX_BUFFERED_BYTES && !stream.closing) await sleep(10);
    }
    if (!stream.closing) stream.socket.send(JSON.stringify({type: 'reset'}));
  };
  let socketClosed;
  const closedNow = new Promise((resolve) => { socketClosed = resolve; });
  stream.onclosed = (ours) => {
    if (session === mine) session = null;
    setRunning(false);
    if (ours && heardAll) setStatus('done', `Heard all of ${file.name} (${seconds(durationMs)}).`);
    else if (ours) setStatus('stopped', `Stopped sending ${file.name}.`);
    socketClosed();
  };
  mine.stop = () => {
    stream.close();
    return closedNow;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Wiring

async function loadModels() {
  let answer;
  try {
    const response = await fetch('v1/models');
    answer = await response.json();
    if (!response.ok) throw new Error(answer.error || `status ${response.status}`);
  } catch (e) {
    setStatus('error', `Cannot list the models (GET /v1/models): ${e.message}`);
    return;
  }
  models = new Map(answer.models.map((m) => [m.name, m]));
  ui.model.replaceChildren(...answer.models.map((m) => new Option(m.name, m.name, m.default, m.default)));
  setRunning(false);
  showModel();
}

function showModel() {
  const model = models.get(ui.model.value);
  if (model) showBars(model.keywords, model);
}

ui.model.addEventListener('change', showModel);
ui.start.addEventListener('click', startMicrophone);
ui.stop.addEventListener('click', stopSession);
ui.file.addEventListener('change', () => {
  const file = ui.file.files[0];
  if (file) streamFile(file);
  ui.file.value = '';  // so that choosing the same file again streams it again
});
ui.drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  ui.drop.dataset.dragging = 'true';
});
ui.drop.addEventListener('dragleave', () => { ui.drop.dataset.dragging = 'false'; });
ui.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  ui.drop.dataset.dragging = 'false';
  const file = e.dataTransfer.files[0];
  if (file && !ui.file.disabled) streamFile(file);
});
// A file dropped beside the box would replace the page with it.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

// A mistake of this page's own, shown rather than lost in the console.
window.addEventListener('error', (e) => showProblem(`This page failed: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => showProblem(`This page failed: ${e.reason}`));

loadModels();
