// FleetControl console: a small single page over the REST API. No framework, no CDN, nothing to build.
'use strict';
const view = document.getElementById('view');
const esc = s => String(s ?? '-').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const api = async (path, options) => {
  const response = await fetch(path, options);
  if (response.status === 401) { location.href = '/console/login'; throw new Error('signed out'); } // session ended
  const body = response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text();
  if (!response.ok) throw new Error(body.detail || body.error || response.statusText);
  return body;
};
const post = (path, body, method = 'POST') => api(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const PAGE = 100;
let fleetState = { filter: '', online: 'all', page: 0 };

// The fleet table pages and filters on the server (/api/fleet-table): 10,000 devices send 100 rows, not 10,000.
let fleetRequest = 0;
async function fleetView() {
  const render = async () => {
    const mine = ++fleetRequest;
    const page = await api(`/api/fleet-table?offset=${fleetState.page * PAGE}&limit=${PAGE}&filter=${encodeURIComponent(fleetState.filter)}&online=${fleetState.online}`);
    if (mine !== fleetRequest) return; // a newer filter or page is on its way
    const pages = Math.max(1, Math.ceil(page.matched / PAGE));
    if (fleetState.page > pages - 1) { fleetState.page = pages - 1; return render(); }
    const typing = document.activeElement?.id === 'filter';
    view.innerHTML = `<h2>Fleet (<span id="fleet-count">${page.matched}</span> of ${page.total})</h2>
      <div class="toolbar"><input id="filter" placeholder="filter by id or role" value="${esc(fleetState.filter)}">
      <select id="online"><option value="all">all</option><option value="true">online</option><option value="false">offline</option></select>
      <button id="prev">&lt;</button> page ${fleetState.page + 1}/${pages} <button id="next">&gt;</button></div>
      <table id="fleet"><thead><tr><th>device</th><th>role</th><th>online</th><th>last seen</th><th>software</th><th>link</th><th>durability</th><th>backlog</th><th>oldest unsent</th><th>clock</th></tr></thead><tbody>
      ${page.devices.map(d => {
        const queues = d.health?.queues || [];
        const backlog = queues.reduce((n, q) => n + Number(q.depth || 0), 0);
        const oldest = queues.reduce((n, q) => Math.max(n, Number(q.oldestUnsentAgeMs || 0)), 0);
        return `<tr data-device="${esc(d.deviceId)}"><td><a href="#/device/${encodeURIComponent(d.deviceId)}">${esc(d.deviceId)}</a></td><td>${esc(d.role)}</td>
        <td class="${d.online ? 'online' : 'offline'}">${d.online ? 'online' : 'offline'}</td><td>${esc(d.lastSeen)}</td><td>${esc(d.softwareVersion)}</td>
        <td>${esc(d.health?.linkState)}</td><td>${esc(d.health?.durability)}</td><td>${backlog}</td><td>${Math.round(oldest / 1000)} s</td><td>${clockText(d)}</td></tr>`;
      }).join('')}</tbody></table>`;
    const filter = document.getElementById('filter');
    if (typing) { filter.focus(); filter.setSelectionRange(filter.value.length, filter.value.length); }
    filter.oninput = () => { fleetState.filter = filter.value; fleetState.page = 0; render(); };
    const online = document.getElementById('online');
    online.value = fleetState.online;
    online.onchange = () => { fleetState.online = online.value; fleetState.page = 0; render(); };
    document.getElementById('prev').onclick = () => { fleetState.page = Math.max(0, fleetState.page - 1); render(); };
    document.getElementById('next').onclick = () => { fleetState.page = Math.min(pages - 1, fleetState.page + 1); render(); };
  };
  await render();
}

// The device's estimated clock offset; "suspect" above Alerts:ClockOffsetThreshold (FleetControl/Alerts/ClockOffsetTracker).
function clockText(d) {
  if (d.clockOffsetSeconds === null || d.clockOffsetSeconds === undefined) return '';
  const text = `${d.clockOffsetSeconds > 0 ? '+' : ''}${Number(d.clockOffsetSeconds).toFixed(1)} s`;
  return d.clockSuspect ? `<span class="clock-suspect" title="clock off by more than the threshold">${esc(text)} suspect</span>` : esc(text);
}

async function deviceView(id) {
  const [device, commands, configuration, bundles] = await Promise.all([
    api(`/api/devices/${encodeURIComponent(id)}`), api(`/api/devices/${encodeURIComponent(id)}/commands?limit=20`), api(`/api/devices/${encodeURIComponent(id)}/configuration`),
    api(`/api/devices/${encodeURIComponent(id)}/diagnostics`).catch(() => [])]);
  const bays = device.dock?.bays || [];
  view.innerHTML = `<h2>${esc(id)} <small>${esc(device.role)} · ${device.online ? 'online' : 'offline'} · last seen ${esc(device.lastSeen)} · clock <span id="device-clock">${clockText(device)}</span></small></h2>
    <section><h3>Commands</h3><div class="toolbar"><select id="command-type">
      <option>ping</option><option>collect-diagnostics</option><option value="resend-range">resend-range (last hour)</option><option>restart-service</option><option>rescan-bays</option></select>
      <button id="send-command">Send</button> <span id="command-status"></span></div>
      <table id="commands"><thead><tr><th>id</th><th>kind</th><th>state</th><th>reason</th><th>created</th></tr></thead><tbody>
      ${commands.map(c => `<tr><td>${esc(c.commandId)}</td><td>${esc(c.kind)}</td><td class="state-${esc(c.state)}">${esc(c.state)}</td><td>${esc(c.reason)}</td><td>${esc(c.createdAt)}</td></tr>`).join('')}</tbody></table></section>
    <section><h3>Diagnostics bundles</h3><table id="diagnostics"><thead><tr><th>bundle</th><th>stored</th><th>size</th><th>sha256</th><th></th></tr></thead><tbody>
      ${bundles.map(b => `<tr data-bundle="${esc(b.bundleId)}"><td>${esc(b.bundleId)}</td><td>${esc(b.storedAt)}</td><td>${Math.ceil(Number(b.size) / 1024)} KiB</td><td><code>${esc(b.sha256)}</code></td>
        <td><a href="${esc(b.download)}" download>download</a></td></tr>`).join('')}</tbody></table></section>
    <section><h3>Configuration</h3><p id="config-versions">desired v${configuration.desiredVersion} · reported v${configuration.reportedVersion} · ${esc(configuration.status || 'none')}</p>
      <textarea id="config-json">${esc(configuration.desiredJson || '{}')}</textarea><button id="set-config">Set desired configuration</button></section>
    ${bays.length ? `<section><h3>Dock bays</h3><table id="bays"><tbody>${bays.map(b => (b.transfers || []).map(t => {
      const pct = t.bytesTotal ? Math.round(100 * Number(t.bytesDone) / Number(t.bytesTotal)) : 0;
      return `<tr><td>bay ${esc(b.bay)}</td><td>${esc(t.recordingId)}</td><td>${esc(t.state)}</td><td><span class="bar"><span style="width:${pct}%"></span></span> ${pct}%</td>
        <td>${Number(t.megabytesPerSecond || 0).toFixed(1)} MB/s</td><td>ETA ${esc(t.etaSeconds ?? 0)} s</td></tr>`; }).join('')).join('')}</tbody></table>
      ${bays.some(b => (b.unaccepted || []).length) ? `<h4>Files not offloaded</h4><table id="unaccepted"><thead><tr><th>bay</th><th>camera</th><th>file</th><th>reason</th><th>size</th></tr></thead><tbody>
        ${bays.map(b => (b.unaccepted || []).map(u => `<tr><td>bay ${esc(b.bay)}</td><td>${esc(b.cameraSerial)}</td><td>${esc(u.name)}</td><td>${esc(u.reason)}</td><td>${esc(u.size ?? 0)}</td></tr>`).join('')).join('')}</tbody></table>` : ''}</section>` : ''}
    <section><h3>Track (last 24 h)</h3><div id="track"></div></section>
    <section><h3>Health history</h3><div id="health"></div></section>
    <section><h3>Data loss</h3><pre>${esc(JSON.stringify(device.dataLoss || [], null, 1))}</pre></section>`;
  deviceCharts(id);
  document.getElementById('send-command').onclick = async () => {
    const status = document.getElementById('command-status');
    try {
      const type = document.getElementById('command-type').value;
      const body = type === 'resend-range' ? { type, from: new Date(Date.now() - 3600 * 1000).toISOString(), to: new Date().toISOString() } : { type };
      const sent = await post(`/api/devices/${encodeURIComponent(id)}/commands`, body);
      status.textContent = `${sent.commandId}: ${sent.state}…`;
      const done = await api(`/api/commands/${sent.commandId}?waitSeconds=60`);
      const resent = done.details && done.details.resent !== undefined ? ` (${done.details.resent} resent, coverage ${done.details.coverage})` : '';
      status.textContent = `${done.kind}: ${done.state} ${done.reason || ''}${resent}`;
      status.className = `state-${done.state}`;
      if (done.details?.bundleId) { // collect-diagnostics: the bundle came over gRPC; offer it at once
        status.insertAdjacentHTML('beforeend', ` <a id="diagnostics-link" download href="/api/devices/${encodeURIComponent(id)}/diagnostics/${encodeURIComponent(done.details.bundleId)}">download bundle</a> <code>${esc(done.details.sha256)}</code>`);
      }
    } catch (e) { status.textContent = e.message; }
  };
  document.getElementById('set-config').onclick = async () => {
    try {
      await post(`/api/devices/${encodeURIComponent(id)}/configuration`, { configuration: JSON.parse(document.getElementById('config-json').value) }, 'PUT');
      route();
    } catch (e) { alert(e.message); }
  };
}

// The device page's map and chart load after the page, so a long track never delays the rest.
async function deviceCharts(id) {
  const from = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const [track, health] = await Promise.all([
    api(`/api/devices/${encodeURIComponent(id)}/track?format=geojson&from=${encodeURIComponent(from)}`).catch(() => ({ features: [] })),
    api(`/api/devices/${encodeURIComponent(id)}/health?limit=360`).catch(() => [])]);
  document.getElementById('track')?.replaceChildren(FleetCharts.trackMap(typeof track === 'string' ? JSON.parse(track) : track));
  document.getElementById('health')?.replaceChildren(FleetCharts.healthChart(health));
}

async function mapView() {
  const devices = await api('/api/devices');
  view.innerHTML = `<h2>Map (<span id="map-count">${devices.filter(d => d.lastPosition).length}</span> placed)</h2><div id="map"></div>`;
  document.getElementById('map').append(FleetCharts.fleetMap(devices));
}

async function rolloutsView() {
  const rollouts = await api('/api/rollouts');
  view.innerHTML = `<h2>Configuration rollouts</h2>
    <section><div class="toolbar"><label>group <select id="rollout-group"><option>all</option><option>Vehicle</option><option>Dock</option></select></label>
      <label>or devices <input id="rollout-devices" placeholder="id, id, …"></label>
      <label>first stage <input id="rollout-first" type="number" min="1" value="1" style="width:4em"></label>
      <button id="start-rollout">Start rollout</button> <span id="rollout-status"></span></div>
      <textarea id="rollout-json">{}</textarea></section>
    <table id="rollouts"><thead><tr><th>id</th><th>group</th><th>stage</th><th>state</th><th>reason</th><th>devices</th></tr></thead><tbody>
    ${rollouts.map(r => `<tr data-rollout="${esc(r.rolloutId)}"><td>${esc(r.rolloutId)}</td><td>${esc(r.group)}</td><td>${esc(r.stage)}</td>
      <td class="rollout-state">${esc(r.state)}</td><td class="rollout-reason">${esc(r.reason)}</td>
      <td>${Object.entries(r.deviceStates || {}).map(([d, s]) => `${esc(d)}: ${esc(s)}`).join('<br>')}</td></tr>`).join('')}</tbody></table>`;
  document.getElementById('start-rollout').onclick = async () => {
    const status = document.getElementById('rollout-status');
    try {
      const devices = document.getElementById('rollout-devices').value.split(',').map(d => d.trim()).filter(d => d);
      const started = await post('/api/rollouts', { configuration: JSON.parse(document.getElementById('rollout-json').value),
        ...(devices.length ? { devices } : { group: document.getElementById('rollout-group').value }),
        firstStageSize: Number(document.getElementById('rollout-first').value) });
      status.textContent = `rollout ${started.rolloutId} started`;
      pollRollouts();
    } catch (e) { status.textContent = e.message; }
  };
}
// While a rollout runs, the page refreshes itself until every rollout shown is finished.
async function pollRollouts() {
  while (location.hash === '#/rollouts') {
    const rollouts = await api('/api/rollouts');
    const status = document.getElementById('rollout-status')?.textContent;
    await rolloutsView();
    if (status) document.getElementById('rollout-status').textContent = status;
    if (!rollouts.some(r => r.state === 'running')) return;
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}

async function alertsView() {
  const alerts = await api('/api/alerts?limit=200');
  view.innerHTML = `<h2>Alerts</h2><table id="alerts"><thead><tr><th>time</th><th>severity</th><th>device</th><th>message</th><th>state</th><th>acknowledged</th></tr></thead>
    <tbody>${alerts.map(alertRow).join('')}</tbody></table>`;
  // Delegated, so rows that arrive live over SSE can be acknowledged too.
  document.getElementById('alerts').onclick = async e => {
    const b = e.target.closest('button[data-ack]');
    if (!b) return;
    await post(`/api/alerts/${encodeURIComponent(b.dataset.ack)}/ack`, {});
    route();
  };
}
const alertRow = a => `<tr data-alert="${esc(a.alertId)}"><td>${esc(a.raisedAt)}</td><td class="${esc(a.severity)}">${esc(a.severity)}</td><td>${esc(a.deviceId)}</td><td>${esc(a.message)}</td>
  <td>${esc(a.state)}</td><td>${a.acknowledgedBy ? esc(a.acknowledgedBy) : `<button data-ack="${esc(a.alertId)}">Acknowledge</button>`}</td></tr>`;

async function evidenceView() {
  const items = await api('/api/evidence');
  const list = Array.isArray(items) ? items : (items.items || []);
  view.innerHTML = `<h2>Evidence</h2><div class="toolbar"><input id="evidence-filter" placeholder="search"></div><table id="evidence"><tbody>
    ${list.map(e => `<tr><td><a href="#/evidence/${encodeURIComponent(e.evidenceId || e.id)}">${esc(e.evidenceId || e.id)}</a></td><td>${esc(e.deviceId)}</td><td>${esc(e.sha256)}</td></tr>`).join('')}</tbody></table>`;
  const filter = document.getElementById('evidence-filter');
  filter.oninput = () => view.querySelectorAll('#evidence tr').forEach(r => r.hidden = !r.textContent.toLowerCase().includes(filter.value.toLowerCase()));
}

async function evidenceItemView(id) {
  const item = await api(`/api/evidence/${encodeURIComponent(id)}`);
  view.innerHTML = `<h2>Evidence ${esc(id)}</h2><button id="verify">Verify</button> <progress id="verify-progress" hidden></progress> <span id="verify-result"></span>
    <section><h3>Custody chain</h3><pre>${esc(JSON.stringify(item, null, 1))}</pre></section>`;
  document.getElementById('verify').onclick = async () => {
    const progress = document.getElementById('verify-progress'), result = document.getElementById('verify-result');
    progress.hidden = false; result.textContent = 'verifying…';
    try {
      const verified = await api(`/api/evidence/${encodeURIComponent(id)}?verify=true`);
      result.textContent = verified.verification?.ok ? `verified: ${verified.verification.summary || 'ok'}` : `FAILED: ${(verified.verification?.problems || []).join('; ')}`;
    } catch (e) { result.textContent = e.message; }
    progress.hidden = true;
  };
}

// ANPR: hits with the hotlist entry they matched and their alert (acknowledged here), recent reads, search by VRM,
// and each read's evidence: the images' SHA-256 taken at capture, whether FleetControl holds byte-identical copies,
// and the read's custody from camera to store. Reads and images need the evidence role; each search is audited.
let anprState = { vrm: '' };
async function anprView() {
  const query = anprState.vrm ? `vrm=${encodeURIComponent(anprState.vrm)}&limit=200` : 'limit=50';
  const [hits, found] = await Promise.all([api('/api/anpr/hits?limit=100'), api(`/api/anpr/reads?${query}`)]);
  const reads = found.reads || [];
  view.innerHTML = `<div id="anpr"><h2>ANPR</h2>
    <section><h3>Hits (<span id="anpr-hit-count">${hits.length}</span>)</h3>
      <table id="anpr-hits"><thead><tr><th>camera time</th><th>device</th><th>read</th><th>hotlist entry</th><th>list</th><th>reason</th><th>markers</th><th>match</th><th>on the list now</th><th>alert</th></tr></thead><tbody>
      ${hits.map(h => `<tr data-hit="${esc(h.messageId)}" data-read="${esc(h.readId)}"><td>${esc(h.cameraTime)}</td><td>${esc(h.deviceId)}</td>
        <td><a href="#/anpr" data-search="${esc(h.vrm)}">${esc(h.vrm)}</a></td><td class="entry">${esc(h.entryVrm)}</td><td>${esc(h.list)}</td><td>${esc(h.reason)}</td>
        <td class="markers">${esc((h.markers || []).join(', ') || '-')}</td><td>${esc(h.match)} (v${esc(h.hotlistVersion)})</td>
        <td class="current">${h.currentEntry ? `yes: ${esc(h.currentEntry.list)}` : 'removed'}</td>
        <td class="alert-state">${!h.alert ? '-' : h.alert.acknowledgedBy ? `${esc(h.alert.state)}, acknowledged by ${esc(h.alert.acknowledgedBy)}`
          : `${esc(h.alert.state)} <button data-ack-alert="${esc(h.alert.alertId)}">Acknowledge</button>`}</td></tr>`).join('')}</tbody></table></section>
    <section><h3>Reads</h3><div class="toolbar"><input id="anpr-vrm" placeholder="VRM, e.g. AB12 CDE" value="${esc(anprState.vrm)}"><button id="anpr-search">Search</button>
      <span id="anpr-read-count">${found.count ?? reads.length}</span> ${anprState.vrm ? `reads of ${esc(anprState.vrm)}` : 'most recent reads'}</div>
      <table id="anpr-reads"><thead><tr><th>camera time</th><th>device</th><th>VRM</th><th>confidence</th><th>camera</th><th>position</th><th>images</th><th></th></tr></thead><tbody>
      ${reads.map(r => `<tr data-read="${esc(r.readId)}"><td>${esc(r.cameraTime)}</td><td>${esc(r.deviceId)}</td><td class="vrm">${esc(r.vrm)}</td><td>${esc(r.confidence)}</td>
        <td>${esc(r.cameraId)} ${esc(r.lane)}</td><td>${r.latitude == null ? '-' : `${Number(r.latitude).toFixed(5)}, ${Number(r.longitude).toFixed(5)}`}</td>
        <td>${(r.images || []).map(i => `<span class="image-${esc(i.stored)}">${esc(i.kind)}: ${esc(i.stored)}</span>`).join(' ')}</td>
        <td><button data-evidence="${esc(r.readId)}">Evidence</button></td></tr>
        <tr class="evidence" data-evidence-of="${esc(r.readId)}" hidden><td colspan="8">${readEvidence(r)}</td></tr>`).join('')}</tbody></table></section></div>`;
  const search = () => { anprState.vrm = document.getElementById('anpr-vrm').value.trim(); anprView().catch(e => { view.textContent = `Error: ${e.message}`; }); };
  document.getElementById('anpr-search').onclick = search;
  document.getElementById('anpr-vrm').onkeydown = e => { if (e.key === 'Enter') search(); };
  document.getElementById('anpr').onclick = async e => {
    const evidence = e.target.closest('button[data-evidence]');
    if (evidence) {
      const row = view.querySelector(`tr[data-evidence-of="${CSS.escape(evidence.dataset.evidence)}"]`);
      row.hidden = !row.hidden;
      row.querySelectorAll('img[data-src]').forEach(img => { img.src = img.dataset.src; img.removeAttribute('data-src'); }); // images load (and are audited) only when opened
      return;
    }
    const find = e.target.closest('a[data-search]');
    if (find) { e.preventDefault(); document.getElementById('anpr-vrm').value = find.dataset.search; search(); return; }
    const ack = e.target.closest('button[data-ack-alert]');
    if (ack) {
      ack.disabled = true;
      try { await post(`/api/alerts/${encodeURIComponent(ack.dataset.ackAlert)}/ack`, {}); await anprView(); } catch (err) { ack.disabled = false; alert(err.message); }
    }
  };
}
// A read's evidence: each image's SHA-256 as the gateway took it at capture, FleetControl's check of its copy, and the custody steps.
const readEvidence = r => {
  const stored = { verified: 'held, SHA-256 matches the capture hash', mismatch: 'held, SHA-256 DIFFERS from the capture hash', pending: 'not arrived yet' };
  return `<div class="read-evidence">${(r.images || []).map(i => `<figure data-image="${esc(i.kind)}"><img data-src="/api/anpr/reads/${encodeURIComponent(r.readId)}/${encodeURIComponent(i.kind)}.jpg" alt="${esc(i.kind)}" height="80">
      <figcaption>${esc(i.kind)} · ${esc(i.size)} bytes<br>sha256 <code class="sha256">${esc(i.sha256)}</code><br><span class="image-${esc(i.stored)}">${esc(stored[i.stored] || i.stored)}</span></figcaption></figure>`).join('')}
    <ol class="custody">
      <li>captured by camera ${esc(r.cameraId)} (lane ${esc(r.lane)}) at ${esc(r.cameraTime)}: ${esc(r.vrm)}, confidence ${esc(r.confidence)}, ${esc(r.country)}</li>
      <li>received by gateway ${esc(r.deviceId)} at ${esc(r.receivedAt)} (${esc(r.receivedTimeSource)} time)${r.latitude == null ? ', no position' : `, position ${Number(r.latitude).toFixed(5)}, ${Number(r.longitude).toFixed(5)} (fix ${esc(r.positionAgeMs)} ms old)`}; images hashed at capture</li>
      <li>stored at FleetControl: message ${esc(r.messageId)}; ${(r.images || []).map(i => `${esc(i.kind)} ${esc(i.stored)}`).join(', ') || 'no images'}</li>
    </ol></div>`;
};

async function route() {
  const [, page, id] = (location.hash || '#/fleet').split('/');
  try {
    if (page === 'device' && id) await deviceView(decodeURIComponent(id));
    else if (page === 'alerts') await alertsView();
    else if (page === 'map') await mapView();
    else if (page === 'rollouts') await rolloutsView();
    else if (page === 'evidence' && id) await evidenceItemView(decodeURIComponent(id));
    else if (page === 'evidence') await evidenceView();
    else if (page === 'anpr') await anprView();
    else await fleetView();
  } catch (e) { view.textContent = `Error: ${e.message}`; }
}

// Live alerts: a counter in the header, and new rows on the alerts page.
let live = 0;
const feed = new EventSource('/api/alerts/stream');
feed.addEventListener('alert', e => {
  const a = JSON.parse(e.data);
  if (a.state === 'active' && !a.acknowledgedBy) document.getElementById('alert-count').textContent = `(${++live})`;
  const table = document.querySelector('#alerts tbody');
  if (table) { table.querySelector(`tr[data-alert="${CSS.escape(a.alertId)}"]`)?.remove(); table.insertAdjacentHTML('afterbegin', alertRow(a)); }
});
api('/console/me').then(me => document.getElementById('me').textContent = me.user).catch(() => {});
window.addEventListener('hashchange', route);
route();
