// kts console: a small page over kts ui's JSON API (no framework). Hash routes:
// #/ overview, #/brokers, #/brokers/<id>, #/reassignments, #/topics, #/topics/<name>,
// #/groups, #/groups/<id>, #/zookeeper/<path>, #/alerts.
// Everything shown comes from the API; text from the cluster is set with textContent only.
'use strict';

const state = { meta: null, rangeMs: 3_600_000, timer: null, charts: [] };
const main = document.getElementById('main');

// ---- helpers -------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function api(path, options) {
  const res = await fetch('/api' + path, options);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error + (body.kafkaError ? ` (${body.kafkaError})` : '') + (body.hint ? `\n${body.hint}` : ''));
  return body;
}

function send(method, path, body) {
  return api(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
}

const fmt = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
function num(n) {
  return n === null || n === undefined ? '—' : fmt.format(n);
}
function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}
function card(label, value, testid, bad) {
  return el('div', { class: 'card' + (bad ? ' bad' : ''), 'data-testid': testid }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value));
}
/** `rowClass(i)`: an optional class per row (highlights unhealthy partitions). */
function table(headers, rows, testid, rowClass) {
  return el('table', { 'data-testid': testid },
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { class: h.num ? 'num' : '' }, h.label)))),
    el('tbody', {}, rows.map((r, ri) => el('tr', { class: rowClass ? rowClass(ri) : null }, r.map((c, i) => el('td', { class: headers[i].num ? 'num' : '' }, c))))));
}
const HEALTH_BADGE = { offline: ['bad', 'offline'], 'under-min-isr': ['bad', 'under min ISR'], 'under-replicated': ['warn', 'under-replicated'] };
function partitionHealthBadge(health) {
  if (!health) return el('span', { class: 'badge ok' }, 'healthy');
  const [cls, text] = HEALTH_BADGE[health];
  return el('span', { class: `badge ${cls}` }, text);
}
const healthRow = (health) => (health ? `row-${HEALTH_BADGE[health][0]}` : null);
function health(t) {
  if (t.offline > 0) return el('span', { class: 'badge bad' }, 'offline');
  if (t.underMinIsr > 0) return el('span', { class: 'badge bad' }, 'under min ISR');
  if (t.underReplicated > 0) return el('span', { class: 'badge warn' }, 'under-replicated');
  return el('span', { class: 'badge ok' }, 'healthy');
}
/** Long lists draw their first ROWS_SHOWN matches (search narrows them); a button draws the rest. */
const ROWS_SHOWN = 300;
function moreRows(shown, matching, total, what, showAll) {
  const text = `${matching} of ${total} ${what}` + (shown < matching ? `, first ${shown} shown: search to narrow them, or ` : '');
  return el('p', { class: 'muted', 'data-testid': `${what}-count` }, text, shown < matching ? el('button', { type: 'button', class: 'secondary', onclick: showAll }, `show all ${matching}`) : '');
}

function errorBox(err) {
  return el('div', { class: 'error', 'data-testid': 'error' }, err.message || String(err));
}
function link(href, text) {
  return el('a', { href }, text);
}
function actionsAllowed() {
  return state.meta && !state.meta.readOnly;
}

// ---- charts (history kept by kts ui) ------------------------------------------------

const RANGES = [['1 h', 3_600_000], ['6 h', 21_600_000], ['24 h', 86_400_000], ['7 d', 604_800_000]];

function rangePicker(onChange) {
  const select = el('select', { 'data-testid': 'range', onchange: (e) => { state.rangeMs = Number(e.target.value); onChange(); } },
    RANGES.map(([label, ms]) => el('option', { value: ms, selected: ms === state.rangeMs }, label)));
  return el('label', { class: 'range' }, 'History ', select);
}

/** Per-second rate of a counter series (null across gaps and resets). */
function rate(t, v) {
  const out = [null];
  for (let i = 1; i < t.length; i++) {
    const dt = (t[i] - t[i - 1]) / 1000;
    out.push(v[i] === null || v[i - 1] === null || dt <= 0 || v[i] < v[i - 1] ? null : (v[i] - v[i - 1]) / dt);
  }
  return out;
}

/** A chart of `defs` [{series, label, kind: 'rate'|'gauge'}] over the selected range. */
function chart(title, defs, testid) {
  const box = el('div', { class: 'chart', 'data-testid': testid }, el('div', { class: 'title' }, title));
  const draw = async () => {
    try {
      const h = await api(`/history?rangeMs=${state.rangeMs}&series=${defs.map((d) => encodeURIComponent(d.series)).join(',')}`);
      const ys = defs.map((d) => (d.kind === 'rate' ? rate(h.t, h.values[d.series]) : h.values[d.series]));
      const points = ys.reduce((n, y) => n + y.filter((x) => x !== null).length, 0);
      box.setAttribute('data-points', String(points));
      for (const old of box.querySelectorAll('.uplot, .muted')) old.remove();
      if (points === 0) {
        box.append(el('div', { class: 'muted' }, 'No history yet: kts ui samples the cluster every ' + Math.round(state.meta.sampleIntervalMs / 1000) + ' s.'));
        return;
      }
      const width = Math.max(320, box.clientWidth - 16);
      const opts = {
        width, height: 200,
        series: [{}, ...defs.map((d, i) => ({ label: d.label, stroke: ['#2f6fde', '#c6362f', '#2f855a', '#b7791f'][i % 4], width: 1.5, spanGaps: false }))],
        axes: [{}, { size: 70, values: (u, splits) => splits.map((v) => (defs[0].unit === 'bytes' ? bytes(v) : compact.format(v))) }],
        scales: { x: { time: true } },
      };
      state.charts.push(new uPlot(opts, [h.t.map((x) => x / 1000), ...ys], box));
    } catch (err) {
      box.append(errorBox(err));
    }
  };
  draw();
  return box;
}

// ---- pages --------------------------------------------------------------------------

async function overviewPage() {
  const o = await api('/overview');
  const charts = el('div', { class: 'charts' });
  const render = () => {
    charts.replaceChildren(
      chart('Messages in per second', [{ series: 'cluster:endOffsets', label: 'messages/s', kind: 'rate' }], 'chart-messages'),
      chart('Bytes on disk', [{ series: 'cluster:sizeBytes', label: 'bytes', kind: 'gauge', unit: 'bytes' }], 'chart-bytes'),
      chart('Consumer lag (all groups)', [{ series: 'cluster:lag', label: 'lag', kind: 'gauge' }], 'chart-lag'),
      chart('Partitions not healthy', [{ series: 'cluster:underReplicated', label: 'under-replicated', kind: 'gauge' }, { series: 'cluster:offline', label: 'offline', kind: 'gauge' }], 'chart-health'),
    );
  };
  render();
  return [
    el('h1', {}, 'Cluster overview'),
    el('p', { class: 'muted' }, `Cluster id ${o.clusterId ?? '—'} · controller ${o.controllerId} · kts ${state.meta.version}`),
    o.groupsError ? el('div', { class: 'error', 'data-testid': 'groups-error' }, `Consumer groups could not be listed: ${o.groupsError}`) : '',
    el('div', { class: 'cards' },
      card('Brokers', num(o.brokerCount), 'brokers'),
      card('Topics', num(o.topicCount), 'topics'),
      card('Partitions', num(o.partitionCount), 'partitions'),
      card('Under-replicated', num(o.underReplicated), 'under-replicated', o.underReplicated > 0),
      card('Offline', num(o.offline), 'offline', o.offline > 0),
      card('Under min ISR', num(o.underMinIsr), 'under-min-isr', o.underMinIsr > 0),
      card('Messages retained', num(o.messages), 'messages'),
      card('Size', bytes(o.sizeBytes), 'size'),
      card('Consumer groups', num(o.groupCount), 'groups'),
      card('Total lag', num(o.totalLag), 'total-lag')),
    el('h2', {}, 'Over time ', rangePicker(render)),
    charts,
  ];
}

async function brokersPage() {
  const [brokers, unhealthy] = await Promise.all([api('/brokers'), api('/unhealthy')]);
  return [
    el('h1', {}, 'Brokers'),
    table(
      [{ label: 'Id' }, { label: 'Host' }, { label: 'Port', num: true }, { label: 'Rack' }, { label: 'Role' }, { label: 'Leaders', num: true }, { label: 'Replicas', num: true }, { label: 'Under-replicated (led)', num: true }, { label: 'Out of ISR', num: true }, { label: 'Size', num: true }, { label: 'Log dirs' }],
      brokers.map((b) => [link(`#/brokers/${b.nodeId}`, String(b.nodeId)), b.host, String(b.port), b.rack ?? '—', b.controller ? el('span', { class: 'badge ok' }, 'controller') : 'broker', num(b.leaderCount), num(b.replicaCount), num(b.underReplicatedLeaderCount), num(b.outOfSyncCount), bytes(b.sizeBytes),
        b.logDirs.map((d) => el('div', {}, d.path, ' ', d.error ? el('span', { class: 'badge bad' }, d.error) : '', ' ', el('span', { class: 'muted' }, bytes(d.sizeBytes))))]),
      'brokers-table',
      (i) => (brokers[i].outOfSyncCount > 0 || brokers[i].underReplicatedLeaderCount > 0 ? 'row-warn' : null)),
    absentBrokers(brokers, unhealthy),
    el('h2', {}, 'Partitions not healthy'),
    unhealthyTable(unhealthy),
  ];
}

/** Replicas on brokers the cluster does not list as live: those brokers are down (or fenced). */
function absentBrokers(brokers, unhealthy) {
  const live = new Set(brokers.map((b) => b.nodeId));
  const absent = new Map();
  for (const p of unhealthy) for (const r of p.replicas) if (!live.has(r)) absent.set(r, (absent.get(r) || 0) + 1);
  if (absent.size === 0) return '';
  return el('div', { class: 'error', 'data-testid': 'absent-brokers' },
    [...absent].sort((a, b) => a[0] - b[0]).map(([id, n]) => el('div', {}, `Broker ${id} is not live: it hosts a replica of ${n} partition${n === 1 ? '' : 's'} listed below.`)));
}

function unhealthyTable(rows) {
  if (rows.length === 0) return el('p', { class: 'notice', 'data-testid': 'all-healthy' }, 'Every partition has a leader and its full ISR.');
  return table(
    [{ label: 'Topic' }, { label: 'Partition', num: true }, { label: 'Leader', num: true }, { label: 'Replicas' }, { label: 'ISR' }, { label: 'Out of ISR' }, { label: 'State' }],
    rows.map((p) => [link(`#/topics/${encodeURIComponent(p.topic)}`, p.topic), String(p.partition), p.leader >= 0 ? String(p.leader) : 'none', p.replicas.join(', '), p.isr.join(', '), p.replicas.filter((r) => !p.isr.includes(r)).join(', '), partitionHealthBadge(p.health)]),
    'unhealthy-table',
    (i) => healthRow(rows[i].health));
}

/** Charts of the broker's own /metrics (sampled by kts ui when the broker has kts.metrics.listener). */
function brokerCharts(b) {
  const s = (name) => `broker:${b.nodeId}:${name}`;
  return el('div', { class: 'charts' },
    chart('Messages in per second', [{ series: s('messagesIn'), label: 'messages/s', kind: 'rate' }], 'broker-chart-messages'),
    chart('Bytes in and out per second', [{ series: s('bytesIn'), label: 'in', kind: 'rate', unit: 'bytes' }, { series: s('bytesOut'), label: 'out', kind: 'rate' }], 'broker-chart-bytes'),
    chart('Under-replicated partitions led', [{ series: s('underReplicated'), label: 'under-replicated', kind: 'gauge' }], 'broker-chart-under-replicated'),
    chart('Leaders and replicas', [{ series: s('leaders'), label: 'leaders', kind: 'gauge' }, { series: s('partitions'), label: 'replicas', kind: 'gauge' }], 'broker-chart-partitions'),
    chart('Replica fetcher max lag (offsets)', [{ series: s('maxLag'), label: 'max lag', kind: 'gauge' }], 'broker-chart-max-lag'),
    chart('Requests in the queue, acks=all waiting', [{ series: s('requestQueue'), label: 'queued', kind: 'gauge' }, { series: s('producePurgatory'), label: 'delayed produce', kind: 'gauge' }], 'broker-chart-queue'),
    chart('Resident memory', [{ series: s('residentBytes'), label: 'RSS', kind: 'gauge', unit: 'bytes' }], 'broker-chart-memory'));
}

async function brokerPage(id) {
  const b = await api(`/brokers/${encodeURIComponent(id)}`);
  const charts = el('div', {});
  const render = () => charts.replaceChildren(b.metrics.url
    ? brokerCharts(b)
    : el('p', { class: 'muted', 'data-testid': 'broker-metrics-problem' }, `No broker charts: ${b.metrics.problem}.`));
  render();
  return [
    el('h1', {}, `Broker ${b.nodeId}`, ' ', b.controller ? el('span', { class: 'badge ok' }, 'controller') : ''),
    el('p', { class: 'muted' }, `${b.host}:${b.port}${b.rack ? ` · rack ${b.rack}` : ''}`, b.metrics.url ? ` · metrics ${b.metrics.url}` : '', b.metrics.lastError ? el('span', { class: 'badge bad' }, `last scrape failed: ${b.metrics.lastError}`) : ''),
    el('div', { class: 'cards' },
      card('Leaders', num(b.leaderCount), 'broker-leaders'),
      card('Replicas', num(b.replicaCount), 'broker-replicas'),
      card('Under-replicated (led)', num(b.underReplicatedLeaderCount), 'broker-under-replicated', b.underReplicatedLeaderCount > 0),
      card('Out of ISR', num(b.outOfSyncCount), 'broker-out-of-sync', b.outOfSyncCount > 0),
      card('Size', bytes(b.sizeBytes), 'broker-size')),
    el('h2', {}, 'Broker metrics ', b.metrics.url ? rangePicker(render) : ''),
    charts,
    el('h2', {}, 'Partitions'),
    table(
      [{ label: 'Topic' }, { label: 'Partition', num: true }, { label: 'Role' }, { label: 'Leader', num: true }, { label: 'Replicas' }, { label: 'ISR' }, { label: 'In sync' }, { label: 'State' }],
      b.partitions.map((p) => [link(`#/topics/${encodeURIComponent(p.topic)}`, p.topic), String(p.partition), p.role, p.leader >= 0 ? String(p.leader) : 'none', p.replicas.join(', '), p.isr.join(', '), p.inSync ? 'yes' : el('span', { class: 'badge warn' }, 'no'), partitionHealthBadge(p.health)]),
      'broker-partitions-table',
      (i) => healthRow(b.partitions[i].health)),
  ];
}

/** The read-only ZooKeeper view: one znode, its data (JSON shown indented), stat and children. */
async function zookeeperPage(path) {
  const z = await api(`/zookeeper?path=${encodeURIComponent(path || '/')}`);
  const href = (p) => `#/zookeeper/${encodeURIComponent(p)}`;
  const names = z.path === '/' ? [] : z.path.slice(1).split('/');
  const crumbs = [link(href('/'), '/')];
  names.forEach((n, i) => crumbs.push(i === 0 ? '' : ' / ', link(href('/' + names.slice(0, i + 1).join('/')), n)));
  let data = z.data;
  if (z.encoding === 'utf8') {
    try { data = JSON.stringify(JSON.parse(z.data), null, 2); } catch { /* not JSON: as it is */ }
  }
  const child = (c) => (z.path === '/' ? '/' : z.path + '/') + c;
  return [
    el('h1', {}, 'ZooKeeper'),
    el('p', { class: 'muted' }, `Read-only view of ${z.connect}`),
    el('p', { 'data-testid': 'znode-path' }, crumbs),
    el('h2', {}, 'Data', z.encoding === 'base64' ? el('span', { class: 'badge' }, 'base64') : ''),
    data === null ? el('p', { class: 'muted', 'data-testid': 'znode-data' }, 'No data.') : el('pre', { class: 'value znode', 'data-testid': 'znode-data' }, data),
    el('p', { class: 'muted', 'data-testid': 'znode-stat' },
      `version ${z.stat.version} · children version ${z.stat.cversion} · created ${new Date(z.stat.ctimeMs).toISOString()} · modified ${new Date(z.stat.mtimeMs).toISOString()} · ${z.stat.dataLength} bytes`,
      z.stat.ephemeralOwner ? ` · ephemeral, session ${z.stat.ephemeralOwner}` : ''),
    el('h2', {}, `Children (${z.children.length})`),
    z.children.length === 0 ? el('p', { class: 'muted' }, 'None.') : table([{ label: 'Name' }], z.children.map((c) => [link(href(child(c)), c)]), 'znode-children'),
  ];
}

async function alertsPage() {
  const alerts = await api('/alerts');
  const firing = alerts.filter((a) => a.firing).length;
  return [
    el('h1', {}, 'Alerts'),
    el('p', { class: 'muted' }, 'The conditions of examples/prometheus/alerts.yml and a few more, evaluated by kts ui on each load from the cluster and its history. For notifications, load that file into Prometheus.'),
    el('p', { class: firing ? 'error' : 'notice', 'data-testid': 'alerts-summary' }, firing ? `${firing} alert(s) firing.` : 'Nothing is firing.'),
    table([{ label: 'Alert' }, { label: 'Severity' }, { label: 'State' }, { label: 'Since' }, { label: 'Details' }],
      alerts.map((a) => [a.name, a.severity, a.firing ? el('span', { class: `badge ${a.severity === 'critical' ? 'bad' : 'warn'}` }, 'firing') : el('span', { class: 'badge ok' }, 'ok'), a.sinceMs ? new Date(a.sinceMs).toISOString() : '—', a.summary]),
      'alerts-table',
      (i) => (alerts[i].firing ? (alerts[i].severity === 'critical' ? 'row-bad' : 'row-warn') : null)),
  ];
}

async function reassignmentsPage() {
  const rows = await api('/reassignments');
  return [
    el('h1', {}, 'Reassignments in progress'),
    el('p', { class: 'muted' }, 'Partition moves the controller is carrying out (ListPartitionReassignments). Start or cancel them with kts reassign.'),
    rows.length === 0
      ? el('p', { class: 'notice', 'data-testid': 'no-reassignments' }, 'No reassignment in progress.')
      : table(
        [{ label: 'Topic' }, { label: 'Partition', num: true }, { label: 'Replicas' }, { label: 'Adding' }, { label: 'Removing' }],
        rows.map((r) => [link(`#/topics/${encodeURIComponent(r.topic)}`, r.topic), String(r.partition), r.replicas.join(', '), r.addingReplicas.join(', ') || '—', r.removingReplicas.join(', ') || '—']),
        'reassignments-table'),
  ];
}

async function topicsPage() {
  const topics = await api('/topics');
  const search = el('input', { type: 'search', placeholder: 'Search topics', 'data-testid': 'topic-search' });
  const showInternal = el('input', { type: 'checkbox' });
  const holder = el('div');
  let all = false;
  const render = () => {
    const q = search.value.trim().toLowerCase();
    const rows = topics.filter((t) => (showInternal.checked || !t.internal) && t.name.toLowerCase().includes(q));
    const shown = all ? rows : rows.slice(0, ROWS_SHOWN);
    holder.replaceChildren(table(
      [{ label: 'Topic' }, { label: 'Partitions', num: true }, { label: 'Replication', num: true }, { label: 'Messages', num: true }, { label: 'Size', num: true }, { label: 'Skew', num: true }, { label: 'Health' }],
      shown.map((t) => [link(`#/topics/${encodeURIComponent(t.name)}`, t.name), num(t.partitionCount), num(t.replicationFactor), num(t.messages), bytes(t.sizeBytes), t.sizeSkew ? t.sizeSkew.toFixed(2) : '—', health(t)]),
      'topics-table'), moreRows(shown.length, rows.length, topics.length, 'topics', () => { all = true; render(); }));
  };
  search.addEventListener('input', render);
  showInternal.addEventListener('change', render);
  render();
  const out = [el('h1', {}, 'Topics'), el('p', {}, search, ' ', el('label', {}, showInternal, ' internal topics'))];
  if (actionsAllowed()) out.push(createTopicForm());
  out.push(holder);
  return out;
}

function createTopicForm() {
  const name = el('input', { name: 'name', required: true, 'data-testid': 'new-topic-name' });
  const partitions = el('input', { name: 'partitions', type: 'number', min: 1, value: 1 });
  const rf = el('input', { name: 'rf', type: 'number', min: 1, value: 1 });
  const msg = el('div');
  const form = el('form', { class: 'inline', 'data-testid': 'create-topic', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await send('POST', '/topics', { name: name.value, partitions: Number(partitions.value), replicationFactor: Number(rf.value) });
      location.hash = `#/topics/${encodeURIComponent(name.value)}`;
    } catch (err) { msg.replaceChildren(errorBox(err)); }
  } }, el('label', {}, 'New topic', name), el('label', {}, 'Partitions', partitions), el('label', {}, 'Replication factor', rf), el('button', { type: 'submit' }, 'Create'), msg);
  return form;
}

async function topicPage(name) {
  const t = await api(`/topics/${encodeURIComponent(name)}`);
  const out = [
    el('h1', {}, 'Topic ', el('span', { 'data-testid': 'topic-name' }, t.name), ' ', health(t)),
    el('div', { class: 'cards' },
      card('Partitions', num(t.partitions.length), 'topic-partitions'),
      card('Replication factor', num(t.replicationFactor), 'topic-rf'),
      card('Messages retained', num(t.messages), 'topic-messages'),
      card('Size', bytes(t.sizeBytes), 'topic-size')),
    el('h2', {}, 'Partitions'),
    table(
      [{ label: 'Partition', num: true }, { label: 'Leader', num: true }, { label: 'Replicas' }, { label: 'ISR' }, { label: 'Log start', num: true }, { label: 'High watermark', num: true }, { label: 'Size', num: true }],
      t.partitions.map((p) => [String(p.partition), p.leader < 0 ? el('span', { class: 'badge bad' }, 'none') : String(p.leader), p.replicas.join(', '), p.isr.join(', '), num(p.logStartOffset), num(p.highWatermark), bytes(p.sizeBytes)]),
      'partitions-table'),
  ];
  const charts = el('div', { class: 'charts' });
  const render = () => charts.replaceChildren(chart('Messages in per second', [{ series: `topic:${t.name}:endOffsets`, label: 'messages/s', kind: 'rate' }], 'chart-topic-messages'));
  render();
  out.push(el('h2', {}, 'Over time ', rangePicker(render)), charts);
  out.push(el('h2', {}, 'Messages'), messageBrowser(t));
  if (actionsAllowed()) out.push(el('h2', {}, 'Produce a record'), produceForm(t));
  out.push(el('h2', {}, 'Configs'), configsView(t));
  if (actionsAllowed()) {
    const msg = el('div');
    out.push(el('h2', {}, 'Delete'), el('p', {}, el('button', { class: 'danger', 'data-testid': 'delete-topic', onclick: async () => {
      if (!confirm(`Delete topic ${t.name} and all its records?`)) return;
      try { await send('DELETE', `/topics/${encodeURIComponent(t.name)}`); location.hash = '#/topics'; } catch (err) { msg.replaceChildren(errorBox(err)); }
    } }, `Delete topic ${t.name}`), msg));
  }
  return out;
}

function messageBrowser(t) {
  const partition = el('select', { name: 'partition' }, el('option', { value: '' }, 'all'), t.partitions.map((p) => el('option', { value: p.partition }, String(p.partition))));
  const offset = el('input', { name: 'offset', type: 'number', min: 0, placeholder: 'newest', size: 8 });
  const timestamp = el('input', { name: 'timestamp', type: 'datetime-local', step: 1 });
  const key = el('input', { name: 'key', placeholder: 'contains', 'data-testid': 'filter-key' });
  const value = el('input', { name: 'value', placeholder: 'contains', 'data-testid': 'filter-value' });
  const header = el('input', { name: 'header', placeholder: 'contains' });
  const limit = el('input', { name: 'limit', type: 'number', min: 1, max: 500, value: 50, size: 5 });
  // kafka-console-consumer's --property lines (DefaultMessageFormatter), printed by the server's formatter.
  const format = el('textarea', { name: 'format', rows: 2, cols: 36, 'data-testid': 'format', placeholder: 'console-consumer --property lines, e.g.\nprint.key=true\nprint.offset=true' });
  const results = el('div', { 'data-testid': 'messages' });
  const form = el('form', { class: 'inline', 'data-testid': 'message-search', onsubmit: async (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (partition.value !== '') q.set('partition', partition.value);
    if (offset.value !== '') q.set('offset', offset.value);
    if (timestamp.value !== '') q.set('timestamp', String(new Date(timestamp.value).getTime()));
    for (const [k, input] of [['key', key], ['value', value], ['header', header]]) if (input.value !== '') q.set(k, input.value);
    q.set('limit', limit.value || '50');
    if (format.value.trim() !== '') q.set('format', format.value);
    results.replaceChildren(el('p', { class: 'muted' }, 'Searching…'));
    try {
      const r = await api(`/topics/${encodeURIComponent(t.name)}/messages?${q}`);
      results.replaceChildren(
        el('p', { class: 'muted', 'data-testid': 'search-summary' }, `${r.messages.length} record(s) found, ${num(r.scanned)} scanned${r.truncated ? ' (stopped at the scan bound: narrow the search)' : ''}`),
        table([{ label: 'Partition', num: true }, { label: 'Offset', num: true }, { label: 'Timestamp' }, { label: 'Key' }, { label: 'Value' }, { label: 'Headers' }],
          r.messages.map((m) => [String(m.partition), String(m.offset), new Date(m.timestampMs).toISOString(),
            el('pre', { class: 'value' }, m.key === null ? 'null' : m.key + (m.keyBase64 ? ' (base64)' : '')),
            el('pre', { class: 'value' }, m.value === null ? 'null' : m.value + (m.valueBase64 ? ' (base64)' : '')),
            m.headers.map((h) => el('div', {}, `${h.key}: ${h.value ?? 'null'}`))]),
          'messages-table'),
        r.formatted !== undefined ? el('div', {}, el('h2', {}, 'As kafka-console-consumer prints them'), el('pre', { class: 'value znode', 'data-testid': 'formatted-output' }, r.formatted)) : '');
    } catch (err) { results.replaceChildren(errorBox(err)); }
  } },
  el('label', {}, 'Partition', partition), el('label', {}, 'From offset', offset), el('label', {}, 'From time', timestamp),
  el('label', {}, 'Key', key), el('label', {}, 'Value', value), el('label', {}, 'Header', header), el('label', {}, 'Limit', limit),
  el('label', {}, 'Format (console-consumer properties)', format),
  el('button', { type: 'submit' }, 'Search'));
  return el('div', {}, form, results);
}

function produceForm(t) {
  const partition = el('select', { name: 'partition' }, el('option', { value: '' }, 'by key'), t.partitions.map((p) => el('option', { value: p.partition }, String(p.partition))));
  const key = el('input', { name: 'key', 'data-testid': 'produce-key' });
  const value = el('textarea', { name: 'value', rows: 2, cols: 40, 'data-testid': 'produce-value' });
  const hk = el('input', { name: 'header-key', placeholder: 'header key', size: 10 });
  const hv = el('input', { name: 'header-value', placeholder: 'header value', size: 10 });
  const msg = el('div', { 'data-testid': 'produce-result' });
  return el('form', { class: 'inline', 'data-testid': 'produce', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const r = await send('POST', `/topics/${encodeURIComponent(t.name)}/messages`, { partition: partition.value, key: key.value, value: value.value, headers: hk.value ? [{ key: hk.value, value: hv.value }] : [] });
      msg.replaceChildren(el('div', { class: 'notice' }, `Written to partition ${r.partition} at offset ${r.offset}.`));
    } catch (err) { msg.replaceChildren(errorBox(err)); }
  } }, el('label', {}, 'Partition', partition), el('label', {}, 'Key', key), el('label', {}, 'Value', value), el('label', {}, 'Header', hk), el('label', {}, '\u00a0', hv), el('button', { type: 'submit' }, 'Produce'), msg);
}

function configsView(t) {
  const rows = t.configs.map((c) => [c.name, c.value ?? (c.value === null ? '(sensitive)' : ''), c.isDefault ? el('span', { class: 'muted' }, 'default') : c.source]);
  const out = [table([{ label: 'Config' }, { label: 'Value' }, { label: 'Source' }], rows, 'configs-table')];
  if (actionsAllowed()) {
    const name = el('select', { name: 'config' }, t.configs.filter((c) => !c.readOnly).map((c) => el('option', { value: c.name }, c.name)));
    const value = el('input', { name: 'value', placeholder: 'new value' });
    const msg = el('div');
    out.push(el('form', { class: 'inline', 'data-testid': 'alter-config', onsubmit: async (e) => {
      e.preventDefault();
      try {
        await send('POST', `/topics/${encodeURIComponent(t.name)}/configs`, value.value === '' ? { delete: [name.value] } : { set: { [name.value]: value.value } });
        route();
      } catch (err) { msg.replaceChildren(errorBox(err)); }
    } }, el('label', {}, 'Config', name), el('label', {}, 'Value (empty: back to default)', value), el('button', { type: 'submit' }, 'Save'), msg));
  }
  return el('div', {}, out);
}

async function groupsPage() {
  const groups = await api('/groups');
  const search = el('input', { type: 'search', placeholder: 'Search groups', 'data-testid': 'group-search' });
  const holder = el('div');
  let all = false;
  const render = () => {
    const q = search.value.trim().toLowerCase();
    const rows = groups.filter((g) => g.groupId.toLowerCase().includes(q));
    const shown = all ? rows : rows.slice(0, ROWS_SHOWN);
    holder.replaceChildren(table(
      [{ label: 'Group' }, { label: 'State' }, { label: 'Members', num: true }, { label: 'Topics' }, { label: 'Lag', num: true }],
      shown.map((g) => [link(`#/groups/${encodeURIComponent(g.groupId)}`, g.groupId), g.state, num(g.memberCount), g.topics.join(', '), num(g.totalLag)]),
      'groups-table'), moreRows(shown.length, rows.length, groups.length, 'groups', () => { all = true; render(); }));
  };
  search.addEventListener('input', render);
  render();
  return [el('h1', {}, 'Consumer groups'), el('p', {}, search), holder];
}

async function groupPage(id) {
  const g = await api(`/groups/${encodeURIComponent(id)}`);
  const charts = el('div', { class: 'charts' });
  const render = () => charts.replaceChildren(chart('Lag over time', [{ series: `group:${g.groupId}:lag`, label: 'lag', kind: 'gauge' }], 'chart-group-lag'));
  render();
  const out = [
    el('h1', {}, 'Consumer group ', el('span', { 'data-testid': 'group-id' }, g.groupId)),
    el('div', { class: 'cards' },
      card('State', g.state, 'group-state'),
      card('Members', num(g.members.length), 'group-members'),
      card('Total lag', num(g.totalLag), 'group-lag'),
      card('Coordinator', String(g.coordinator), 'group-coordinator')),
    el('h2', {}, 'Lag per partition'),
    table([{ label: 'Topic' }, { label: 'Partition', num: true }, { label: 'Committed', num: true }, { label: 'Log end', num: true }, { label: 'Lag', num: true }, { label: 'Member' }, { label: 'Host' }],
      g.partitions.map((p) => [p.topic, String(p.partition), num(p.committedOffset), num(p.endOffset), num(p.lag), p.clientId ?? '—', p.host ?? '—']),
      'lag-table'),
    el('h2', {}, 'Over time ', rangePicker(render)), charts,
    el('h2', {}, 'Members'),
    table([{ label: 'Member' }, { label: 'Client' }, { label: 'Host' }, { label: 'Assignment' }],
      g.members.map((m) => [m.memberId, m.clientId, m.host, m.assignment.map((a) => `${a.topic}-${a.partition}`).join(', ')]), 'members-table'),
  ];
  if (actionsAllowed()) out.push(el('h2', {}, 'Reset offsets'), resetForm(g));
  return out;
}

function resetForm(g) {
  const topic = el('select', { name: 'topic', 'data-testid': 'reset-topic' }, g.topics.map((t) => el('option', { value: t }, t)));
  const to = el('select', { name: 'to', 'data-testid': 'reset-to' }, ['earliest', 'latest', 'offset', 'timestamp'].map((x) => el('option', { value: x }, x)));
  const value = el('input', { name: 'value', placeholder: 'offset or date-time', 'data-testid': 'reset-value' });
  const plan = el('div', { 'data-testid': 'reset-plan' });
  const body = () => {
    const b = { topic: topic.value, to: to.value };
    if (to.value === 'offset') b.offset = Number(value.value);
    if (to.value === 'timestamp') b.timestamp = value.value;
    return b;
  };
  const execute = el('button', { type: 'button', class: 'danger', disabled: true, 'data-testid': 'reset-execute', onclick: async () => {
    try {
      const r = await send('POST', `/groups/${encodeURIComponent(g.groupId)}/reset-offsets`, { ...body(), execute: true });
      plan.replaceChildren(el('div', { class: 'notice', 'data-testid': 'reset-done' }, `Committed new offsets on ${r.partitions.length} partition(s).`));
      execute.disabled = true;
      setTimeout(route, 300);
    } catch (err) { plan.replaceChildren(errorBox(err)); }
  } }, 'Execute');
  const form = el('form', { class: 'inline', 'data-testid': 'reset-offsets', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const r = await send('POST', `/groups/${encodeURIComponent(g.groupId)}/reset-offsets`, { ...body(), execute: false });
      plan.replaceChildren(el('p', { class: 'muted' }, 'Dry run: nothing committed yet. Execute to commit these offsets.'),
        table([{ label: 'Topic' }, { label: 'Partition', num: true }, { label: 'Current', num: true }, { label: 'New offset', num: true }],
          r.partitions.map((p) => [p.topic, String(p.partition), num(p.currentOffset), num(p.newOffset)]), 'reset-plan-table'));
      execute.disabled = false;
    } catch (err) { plan.replaceChildren(errorBox(err)); execute.disabled = true; }
  } }, el('label', {}, 'Topic', topic), el('label', {}, 'To', to), el('label', {}, 'Value', value), el('button', { type: 'submit', 'data-testid': 'reset-dry-run' }, 'Dry run'), execute);
  return el('div', {}, form, plan);
}

// ---- routing ------------------------------------------------------------------------

async function route() {
  for (const c of state.charts) c.destroy();
  state.charts = [];
  const hash = location.hash.replace(/^#/, '') || '/';
  const [, page, arg] = hash.split('/').map((x, i) => (i === 2 ? decodeURIComponent(x) : x));
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.nav === (page || 'overview'));
  main.setAttribute('data-loading', '');
  main.removeAttribute('data-route');
  try {
    let content;
    if (!page) content = await overviewPage();
    else if (page === 'brokers' && arg) content = await brokerPage(arg);
    else if (page === 'brokers') content = await brokersPage();
    else if (page === 'reassignments') content = await reassignmentsPage();
    else if (page === 'zookeeper') content = await zookeeperPage(arg);
    else if (page === 'alerts') content = await alertsPage();
    else if (page === 'topics' && arg) content = await topicPage(arg);
    else if (page === 'topics') content = await topicsPage();
    else if (page === 'groups' && arg) content = await groupPage(arg);
    else if (page === 'groups') content = await groupsPage();
    else content = [el('h1', {}, 'Not found'), el('p', {}, link('#/', 'Back to the overview'))];
    main.replaceChildren(...content);
  } catch (err) {
    main.replaceChildren(el('h1', {}, 'Error'), errorBox(err));
  }
  main.removeAttribute('data-loading');
  main.setAttribute('data-page', page || 'overview');
  // The route this content belongs to (tests wait for it after changing the hash).
  main.setAttribute('data-route', location.hash || '#/');
}

async function start() {
  state.meta = await api('/meta');
  document.getElementById('target').textContent = state.meta.target;
  document.getElementById('readonly').hidden = !state.meta.readOnly;
  window.addEventListener('hashchange', route);
  await route();
}

start();
