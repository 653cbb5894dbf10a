// The vodflow page: signs in, uploads a file straight to storage with the presigned plan of
// POST /videos, follows the video over Server-Sent Events and plays the HLS result.

import { authorization, signIn, signOut, start } from './signin.js';

// Four parts in flight fill most upload links and leave browsers (six connections a host) room for
// the page's own requests.
const PARALLEL_PARTS = 4;
// A passing failure (a dropped connection, storage or the service busy) is tried again after 1, 2, 4,
// 8 and 16 s: a connection that comes back within half a minute loses no upload.
const ATTEMPTS = 6;
// A transfer that sends nothing for this long is stuck (a connection gone quiet): it is tried again.
const STALL_MS = 60_000;
const STATUS_WORDS = {
  AWAITING_UPLOAD: 'Awaiting upload',
  UPLOADED: 'Uploaded',
  SUBMITTED: 'Queued',
  PROGRESSING: 'Processing',
  COMPLETE: 'Complete',
  ERROR: 'Failed',
  CANCELED: 'Canceled',
};
const PHASE_WORDS = { PROBING: 'Probing', TRANSCODING: 'Transcoding', UPLOADING: 'Saving' };
const TERMINAL = new Set(['COMPLETE', 'ERROR', 'CANCELED']);

const $ = (id) => document.getElementById(id);
const player = $('player-video');

let limits = null;
let uploading = null;
let events = null;
let hls = null;
/** Whether the player has the current video's stream. */
let playing = false;
/** The file name of the master playlist the player has: its links are signed again on every read. */
let playingFile = null;
/** How often a native player's failure was answered by loading the stream again. */
let reloads = 0;
const MAX_RELOADS = 3;
let current = null;

// Byte counts as the API words them: 1.5 GiB rather than 1610612736.
function human(bytes) {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(bytes)} bytes` : `${value.toFixed(1).replace(/\.0$/, '')} ${units[unit]}`;
}

function duration(seconds) {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function element(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

function say(id, text) {
  $(id).textContent = text;
  $(id).hidden = !text;
}

function announce(text) {
  $('live').textContent = text;
}

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
    // Worth another try: no answer at all (0), or the service or storage busy for a moment.
    this.retryable = status === 0 || status >= 500 || status === 408 || status === 429;
  }
}

// A signed link (an upload's completeUrl, partsUrl and abortUrl) opens its call alone: it goes without the token,
// which may have expired while the upload went on.
async function api(method, url, body, { signed = false } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: { ...(signed ? {} : await authorization()), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body && JSON.stringify(body),
    });
  } catch {
    throw new ApiError('the service could not be reached', 0);
  }
  // The session ended (the token expired): sign in again.
  if (response.status === 401) showSignIn('Your session ended; please sign in again.');
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(data?.detail ?? `The server answered ${response.status}`, response.status);
  return data;
}

// ---- Checks before anything is sent: a refused file costs no request.

function kinds() {
  return limits.allowedContentTypes.map((type) => (type.endsWith('/*') ? type.slice(0, -2) : type)).join(' or ');
}

function accepts(type) {
  return limits.allowedContentTypes.some((allowed) => {
    const rule = allowed.trim().toLowerCase();
    return rule.endsWith('/*') ? type.startsWith(rule.slice(0, -1)) : type === rule;
  });
}

function problemWith(file) {
  if (file.size === 0) return `"${file.name}" is empty.`;
  if (!limits) return null;
  const type = file.type.toLowerCase();
  if (!accepts(type)) {
    return `"${file.name}" is not a file we can take: only ${kinds()} files are accepted, and this one is ${
      type || 'of an unknown type'}.`;
  }
  if (file.size > limits.maxSizeBytes) {
    return `"${file.name}" is too large: it is ${human(file.size)}, and the largest file accepted is ${
      human(limits.maxSizeBytes)}.`;
  }
  return null;
}

async function loadLimits() {
  try {
    limits = await api('GET', '/videos/limits');
    $('file').accept = limits.allowedContentTypes.join(',');
    const what = kinds();
    $('drop-hint').textContent = `${what[0].toUpperCase()}${what.slice(1)} files up to ${human(limits.maxSizeBytes)}`;
  } catch {
    // Without limits the API still checks every file; the page just cannot warn before creating.
  }
}

// ---- Upload straight to storage.

class TransferError extends Error {
  constructor(message, retryable, status) {
    super(message);
    this.retryable = retryable;
    this.status = status;
  }
}

function put(url, body, headers, onProgress, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DOMException('Canceled', 'AbortError'));
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    Object.entries(headers).forEach(([name, value]) => xhr.setRequestHeader(name, value));
    let stalled = false;
    let lastMoved = performance.now();
    const watchdog = setInterval(() => {
      if (performance.now() - lastMoved < STALL_MS) return;
      stalled = true;
      xhr.abort();
    }, 1000);
    xhr.onloadend = () => clearInterval(watchdog);
    xhr.upload.onprogress = (event) => {
      lastMoved = performance.now();
      // All of it handed over: what is left is the network's and storage's answer, not a stall.
      if (event.lengthComputable && event.loaded === event.total) clearInterval(watchdog);
      onProgress(event.loaded);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr);
      else {
        const passing = xhr.status >= 500 || xhr.status === 408 || xhr.status === 429;
        reject(new TransferError(`storage refused it (HTTP ${xhr.status})`, passing, xhr.status));
      }
    };
    xhr.onerror = () => reject(new TransferError('the connection to storage failed', true));
    xhr.onabort = () => reject(stalled
      ? new TransferError(`storage took nothing for ${STALL_MS / 1000} s`, true)
      : new DOMException('Canceled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    // fetch() cannot report upload progress; XMLHttpRequest can.
    xhr.send(body);
  });
}

function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('Canceled', 'AbortError'));
    }, { once: true });
  });
}

async function withRetries(attempt, signal) {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n === ATTEMPTS || !error.retryable || signal.aborted) throw error;
      await pause(1000 * 2 ** (n - 1), signal);
    }
  }
}

// Sums what every request has sent and shows speed and time left over the last few seconds, so a
// stall shows quickly.
function meter(total) {
  const sent = new Map();
  const samples = [];
  return (key, loaded) => {
    sent.set(key, loaded);
    const bytes = [...sent.values()].reduce((sum, value) => sum + value, 0);
    const now = performance.now();
    samples.push([now, bytes]);
    while (samples.length > 2 && now - samples[0][0] > 5000) samples.shift();
    const [then, before] = samples[0];
    const speed = now > then ? Math.max(0, ((bytes - before) * 1000) / (now - then)) : 0;
    $('upload-bar').value = bytes / total;
    $('upload-stats').textContent = `${human(bytes)} of ${human(total)}` + (speed > 0
      ? ` · ${human(speed)}/s · about ${duration((total - bytes) / speed)} left`
      : '');
  };
}

function sendWhole(file, plan, progress, signal) {
  // The signature covers Content-Type and Content-Length; browsers refuse to let scripts set the
  // length and send the file's own.
  const headers = Object.fromEntries(Object.entries(plan.headers).filter(([name]) => name !== 'Content-Length'));
  let tries = 0;
  return withRetries(async () => {
    tries += 1;
    progress(0, 0);
    try {
      return await put(plan.url, file, headers, (loaded) => progress(0, loaded), signal);
    } catch (error) {
      // The URL takes one PUT (If-None-Match: *): a try refused for that came after one that was
      // stored, whose answer was lost. The file is there.
      if (tries > 1 && error.status === 412) return progress(0, file.size);
      throw error;
    }
  }, signal);
}

async function sendParts(file, firstPlan, progress, signal) {
  let plan = firstPlan;
  // The part URLs stop working at plan.expiresAt (sooner than asked when the credentials that signed
  // them expire): a long upload has its parts signed again, once for all the parts in flight.
  let renewing = null;
  const renew = () => {
    renewing ??= api('POST', plan.partsUrl, undefined, { signed: true })
      .then((fresh) => { plan = fresh; })
      .finally(() => { renewing = null; });
    return renewing;
  };
  const queue = [...plan.parts];
  const done = [];
  const worker = async () => {
    for (let part = queue.shift(); part; part = queue.shift()) {
      const start = (part.partNumber - 1) * plan.partSize;
      const blob = file.slice(start, start + part.sizeBytes);
      const xhr = await withRetries(async () => {
        if (Date.now() > Date.parse(plan.expiresAt) - 60_000) await renew();
        progress(part.partNumber, 0);
        const { url } = plan.parts[part.partNumber - 1];
        try {
          return await put(url, blob, {}, (loaded) => progress(part.partNumber, loaded), signal);
        } catch (error) {
          // Storage refused the URL as expired (403), or the credentials that signed it (400 ExpiredToken):
          // try a fresh one.
          if (error.status !== 403 && error.status !== 400) throw error;
          await renew();
          throw new TransferError(error.message, true, error.status);
        }
      }, signal);
      done.push({ partNumber: part.partNumber, eTag: xhr.getResponseHeader('ETag') });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, queue.length) }, worker));
  done.sort((a, b) => a.partNumber - b.partNumber);
  let tries = 0;
  await withRetries(async () => {
    tries += 1;
    try {
      await api('POST', plan.completeUrl, { parts: done }, { signed: true });
    } catch (error) {
      // A try refused as already completed (not canceled) came after one that completed, whose answer
      // was lost.
      if (tries === 1 || error.status !== 409 || /cancel|abort/.test(error.message)) throw error;
    }
  }, signal);
}

async function uploadFile(file) {
  if (uploading) {
    say('message', `One upload at a time: "${file.name}" can go up once this one is done.`);
    return;
  }
  const problem = problemWith(file);
  say('message', problem ?? '');
  if (problem) return;

  // Taken before the video is created: a second file chosen meanwhile is turned away (above).
  const controller = new AbortController();
  uploading = controller;
  $('drop').setAttribute('aria-disabled', 'true');
  let created;
  try {
    const title = $('title').value.trim();
    created = await api('POST', '/videos', {
      fileName: file.name, contentType: file.type, sizeBytes: file.size, title: title || undefined,
    });
  } catch (error) {
    say('message', error.message);
    uploading = null;
    $('drop').removeAttribute('aria-disabled');
    return;
  }
  history.pushState(null, '', `#${created.id}`);
  openVideo(created.id);
  loadRecent();

  $('upload-name').textContent = `Uploading "${file.name}" (${human(file.size)})`;
  $('upload').hidden = false;
  announce(`Uploading ${file.name}`);
  const send = created.upload.type === 'multipart' ? sendParts : sendWhole;
  try {
    await send(file, created.upload, meter(file.size), controller.signal);
    $('title').value = '';
    announce('Upload finished');
  } catch (error) {
    controller.abort(); // stops the parts still in flight
    if (error.name !== 'AbortError') {
      say('message', `The upload of "${file.name}" failed: ${error.message}. Please try again.`);
    }
    // Frees the parts storage kept and marks the video canceled, so it is not left waiting. A conflict
    // means the file is in storage after all (only its answer was lost): the video goes on, shown below.
    const arrived = await api('DELETE', created.upload.abortUrl, undefined, { signed: true })
      .then(() => false, (refusal) => refusal.status === 409 && !/cancel/.test(refusal.message));
    if (arrived) say('message', '');
  } finally {
    uploading = null;
    $('upload').hidden = true;
    $('drop').removeAttribute('aria-disabled');
    // The session ended while the upload went on (see showSignIn): the rest waits for a sign-in.
    if (!$('sign-in-card').hidden) $('app').hidden = true;
  }
}

// ---- One video, live.

function resetPlayer() {
  hls?.destroy();
  hls = null;
  playing = false;
  playingFile = null;
  reloads = 0;
  player.removeAttribute('src');
  player.load();
  $('player').hidden = true;
  $('thumbnails').replaceChildren();
}

function openVideo(id, { focus = false } = {}) {
  if (current?.id === id) return;
  events?.close();
  resetPlayer();
  current = { id };
  $('video').hidden = false;
  ['video-heading', 'video-meta', 'video-phase', 'video-status'].forEach((part) => {
    $(part).textContent = '';
  });
  say('video-error', '');
  markCurrent();
  if (focus) $('video-heading').focus();

  follow(id);
}

// EventSource sends no Authorization header: the video's signed events link stands in for it. The
// link lasts minutes; a stream cut after that is opened again with a fresh one.
async function follow(id, retries = 3) {
  let video;
  try {
    video = await api('GET', `/videos/${encodeURIComponent(id)}`);
  } catch (error) {
    if (current?.id !== id) return;
    if (error.status === 404) say('video-error', 'This video could not be found.');
    else if (error.status !== 401) followAgain(id, retries);
    return;
  }
  if (current?.id !== id) return;
  show(video);
  if (TERMINAL.has(video.status)) return;
  const source = new EventSource(video.events);
  events = source;
  let streamed = false;
  const onEvent = async (event) => {
    const next = JSON.parse(event.data);
    streamed = true;
    // The server ends the stream after a terminal status; closing first stops EventSource reconnecting.
    if (TERMINAL.has(next.status)) source.close();
    // Outputs on a signing CDN open with the cookies that reading the video sets: those of the page's
    // first read may have expired by the time the video plays, so it is read again first.
    const shown = next.playback?.credentials && !playing
      ? await api('GET', `/videos/${encodeURIComponent(id)}`).catch(() => next)
      : next;
    if (current?.id === id) show(shown);
  };
  Object.keys(STATUS_WORDS).forEach((status) => source.addEventListener(status, onEvent));
  source.onerror = () => {
    if (source.readyState !== EventSource.CLOSED || events !== source) return;
    // A stream that delivered events was cut (a deploy, a proxy, a laptop asleep): retries start again.
    followAgain(id, streamed ? 3 : retries, () => events === source);
  };
}

// Follows the video again after a moment, longer each time, while tries are left and it is still shown.
function followAgain(id, retries, stillWanted = () => true) {
  if (retries > 0) {
    setTimeout(() => { if (current?.id === id && stillWanted()) follow(id, retries - 1); }, 1000 * (4 - retries));
  } else {
    say('video-error', 'The live status of this video could not be followed; reload the page.');
  }
}

function show(video) {
  // Answers may arrive out of order (a re-read racing the stream): an older state never replaces a newer.
  if (video.id === current.id && video.version < current.version) return;
  const before = current.status;
  current = video;
  const { progress, source } = video;
  $('video-heading').textContent = video.title || video.fileName;
  $('video-meta').textContent = [
    video.title && video.fileName,
    human(video.sizeBytes),
    source?.width && `${source.width}×${source.height}`,
    source?.durationMs && duration(source.durationMs / 1000),
  ].filter(Boolean).join(' · ');
  $('video-status').textContent = STATUS_WORDS[video.status] ?? video.status;
  $('video-status').dataset.status = video.status;
  const running = video.status === 'PROGRESSING' && progress;
  $('video-phase').textContent = running
    ? [video.playback && 'Playable now', `${PHASE_WORDS[progress.phase] ?? progress.phase} · ${progress.percent} %`]
      .filter(Boolean).join(' · ')
    : '';
  const bar = $('job-bar');
  bar.hidden = !['UPLOADED', 'SUBMITTED', 'PROGRESSING'].includes(video.status);
  if (running) bar.value = progress.percent;
  else bar.removeAttribute('value'); // indeterminate until the job reports progress

  if (video.status === 'ERROR') {
    const reason = (video.error?.message ?? 'no reason was given').replace(/\.$/, '');
    say('video-error', `Transcoding failed: ${reason}.`);
  }
  if (video.status === 'CANCELED') say('video-error', 'The upload was canceled.');
  if (video.status !== before) announce(`${video.title || video.fileName}: ${STATUS_WORDS[video.status]}`);
  // Playable while its job runs (playableAt): the player starts on the growing stream and goes on into
  // the finished one, the same playlists, without a reload; COMPLETE adds the renditions and thumbnails.
  // A preview (fast start, beside MediaConvert) is another stream, removed at COMPLETE: the player
  // takes the finished one where it was.
  if (video.playback) {
    if (!playing) play(video.playback);
    else if (fileOf(video.playback.masterPlaylist) !== playingFile) {
      play(video.playback, player.currentTime);
    } else if (video.status === 'COMPLETE' && before !== 'COMPLETE' && !hls && player.paused) {
      reopen(video.playback.masterPlaylist);
    }
    showOutputs(video.playback);
  }
  updateRecent(video);
}

const fileOf = (url) => new URL(url, location.href).pathname.split('/').pop();

/** Plays the stream from {@code at} seconds; one that was playing goes on playing. */
function play(playback, at = 0) {
  const wasPlaying = playing && !player.paused;
  playing = true;
  playingFile = fileOf(playback.masterPlaylist);
  hls?.destroy();
  hls = null;
  // Outputs on a signing CDN open with the cookies reading the video set: players must send them.
  if (playback.credentials) player.crossOrigin = 'use-credentials';
  else player.removeAttribute('crossorigin');
  if (wasPlaying) player.addEventListener('loadedmetadata', () => player.play().catch(() => {}), { once: true });
  if (player.canPlayType('application/vnd.apple.mpegurl')) {
    player.src = playback.masterPlaylist;
    // A growing stream is an EVENT playlist, which players join at its live edge: start at the start.
    player.addEventListener('loadedmetadata', () => { player.currentTime = at; }, { once: true });
  } else if (window.Hls?.isSupported()) {
    // Likewise for hls.js.
    hls = new window.Hls({
      startPosition: at,
      ...(playback.credentials ? { xhrSetup: (xhr) => { xhr.withCredentials = true; } } : {}),
    });
    hls.on(window.Hls.Events.ERROR, (_, data) => {
      if (data.fatal) recover(`The video cannot be played here (${data.details}).`);
    });
    hls.loadSource(playback.masterPlaylist);
    hls.attachMedia(player);
  } else {
    say('video-error', 'This browser cannot play HLS video.');
    return;
  }
  $('player').hidden = false;
}

/** The choice of renditions and the thumbnails, once the job has listed them (COMPLETE). */
function showOutputs(playback) {
  $('quality').replaceChildren(
    element('option', { value: '', textContent: 'Auto' }),
    ...playback.renditions.map((rendition, index) => element('option', {
      value: index,
      textContent: `${rendition.height}p · ${(rendition.bitrate / 1e6).toFixed(1)} Mbit/s`,
    })),
  );
  $('quality').disabled = playback.renditions.length === 0;
  const count = playback.thumbnails.length;
  $('thumbnails').replaceChildren(...playback.thumbnails.map((src, index) => element('li', {},
    element('img', { src, alt: `Thumbnail ${index + 1} of ${count}`, width: 320, height: 180 }))));
}

/**
 * A paused native player takes the finished stream afresh, once: it may hold the growing one as a live
 * stream (hls.js turns it into the finished one itself, and a playing player goes on). It stays where
 * the user paused it; one never played starts at the start, wherever the live stream had put it.
 */
function reopen(playlist) {
  const currentTime = player.played.length > 0 ? player.currentTime : 0;
  player.src = playlist;
  player.addEventListener('loadedmetadata', () => { player.currentTime = currentTime; }, { once: true });
}

/**
 * A player may fail on a playlist fetched while the stream grows or turns finished, or on links that
 * expired while the page stayed open (vodflow.playback.link-lifetime): reading the video again signs
 * them anew (and sets a CDN's cookies again), and the stream is loaded again from where it was, a few
 * times, a moment later each time.
 */
let recovering = false;

function recover(failure) {
  if (!playing || !current?.playback || recovering) return;
  if (reloads >= MAX_RELOADS) {
    say('video-error', `${failure.replace(/\.$/, '')}; reload the page to try again.`);
    return;
  }
  reloads += 1;
  recovering = true;
  const { id } = current;
  const at = player.currentTime;
  setTimeout(async () => {
    const fresh = await api('GET', `/videos/${id}`).catch(() => null);
    recovering = false;
    if (current?.id === id && fresh?.playback) play(fresh.playback, at);
  }, 500 * reloads);
}

// Playing again: a later failure (links that expired hours on) gets its tries afresh.
player.addEventListener('playing', () => { reloads = 0; });

// hls.js reports its own failures (see play).
player.addEventListener('error', () => {
  if (!hls) recover('The video cannot be played here.');
});

function chooseRendition() {
  const rendition = current.playback.renditions[$('quality').value];
  if (hls) {
    // By file name: the player keeps the links it started with (perhaps while the video was still
    // processed), signed with another token than the video's latest.
    hls.currentLevel = rendition
      ? hls.levels.findIndex((level) => fileOf(level.uri) === fileOf(rendition.playlist))
      : -1; // -1: automatic
    return;
  }
  // A native player picks renditions itself from the master playlist; one rendition is its own playlist.
  const { currentTime, paused } = player;
  player.src = rendition?.playlist ?? current.playback.masterPlaylist;
  player.currentTime = currentTime;
  if (!paused) player.play().catch(() => {}); // a refused autoplay leaves the controls to the user
}

// ---- Recent videos.

function entry(video) {
  const badge = element('span', { className: 'badge', textContent: STATUS_WORDS[video.status] ?? video.status });
  badge.dataset.status = video.status;
  const link = element('a', { href: `#${video.id}` },
    element('span', { className: 'name', textContent: video.title || video.fileName }),
    badge,
    element('span', {
      className: 'hint',
      textContent: `${new Date(video.createdAt).toLocaleString()} · ${human(video.sizeBytes)}`,
    }));
  const item = element('li', {}, link);
  item.dataset.id = video.id;
  return item;
}

function markCurrent() {
  document.querySelectorAll('#recent li').forEach((item) => {
    item.firstChild.setAttribute('aria-current', String(item.dataset.id === current?.id));
  });
}

function updateRecent(video) {
  const item = [...$('recent').children].find((li) => li.dataset.id === video.id);
  if (item) {
    item.replaceWith(entry(video));
    markCurrent();
  }
}

async function loadRecent() {
  try {
    const page = await api('GET', '/videos?limit=20');
    $('recent').replaceChildren(...page.items.map(entry));
    // The open video's live status may be newer than the list read.
    if (current?.status) updateRecent(current);
    markCurrent();
    say('recent-note', page.items.length ? '' : 'No videos yet.');
  } catch (error) {
    say('recent-note', `The list could not be loaded: ${error.message}`);
  }
}

// ---- Wiring.

const drop = $('drop');
const input = $('file');
const pick = () => {
  if (!uploading) input.click();
};
drop.addEventListener('click', pick);
drop.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault(); // Space would scroll the page
    pick();
  }
});
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  const file = event.dataTransfer.files[0];
  if (file) uploadFile(file);
});
// A file dropped beside the zone would otherwise replace the page with the file.
['dragover', 'drop'].forEach((type) => window.addEventListener(type, (event) => event.preventDefault()));
input.addEventListener('change', () => {
  const file = input.files[0];
  input.value = ''; // choosing the same file again still fires change
  if (file) uploadFile(file);
});
$('cancel').addEventListener('click', () => uploading?.abort());
$('quality').addEventListener('change', chooseRendition);
$('refresh').addEventListener('click', loadRecent);
window.addEventListener('hashchange', () => {
  if (location.hash.length > 1) openVideo(location.hash.slice(1), { focus: true });
});

// ---- Sign-in.

function showSignIn(reason) {
  // An upload under way goes on on its signed URLs and links: it stays in view, and leaving the page
  // (to sign in again) asks first.
  $('app').hidden = !uploading;
  $('signed-in-as').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in-card').hidden = false;
  say('sign-in-error', reason ?? '');
}

window.addEventListener('beforeunload', (event) => {
  if (!uploading) return;
  event.preventDefault();
  event.returnValue = ''; // browsers before the standard's preventDefault (Safari, older Chrome)
});

$('sign-in').addEventListener('click', () =>
  signIn().catch((error) => say('sign-in-error', `Signing in failed: ${error.message}.`)));
$('sign-out').addEventListener('click', () => signOut());

let session = null;
try {
  session = await start();
} catch (error) {
  showSignIn(`Signing in failed: ${error.message}. Please try again.`);
}
if (session) {
  $('app').hidden = false;
  if (session.user) {
    $('signed-in-as').textContent = `Signed in as ${session.user}`;
    $('signed-in-as').hidden = false;
    $('sign-out').hidden = false;
  }
  await loadLimits();
  await loadRecent();
  if (location.hash.length > 1) openVideo(location.hash.slice(1));
} else if ($('sign-in-card').hidden) {
  showSignIn();
}
