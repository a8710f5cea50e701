/*
 * Meridian's live dashboard: polls the agent once a second and redraws topology, lag chart, slots,
 * sync set, failover history and alerts. Plain DOM and SVG, no build step.
 *
 * Data: GET /dashboard/data -> {cluster, local, alerts}; falls back to GET /meridian/cluster (no alerts).
 * URL parameters: ?api=http://host:8008 to read another agent, ?poll=ms, ?window=minutes.
 * For tests: <body data-leader="..."> always names the current leader ("" when none), and
 * data-polls counts successful refreshes.
 */
(function () {
  'use strict';
  const L = window.MeridianLsn;
  const params = new URLSearchParams(location.search);
  const API = (params.get('api') || '').replace(/\/$/, '');
  const POLL_MS = Math.max(200, Number(params.get('poll')) || 1000);
  const WINDOW_MS = Math.max(1, Number(params.get('window')) || 5) * 60 * 1000;
  const MIB = 1024 * 1024;
  const THRESHOLDS = {
    bytes: [[100 * MIB, 'warning'], [1024 * MIB, 'critical']],
    seconds: [[10, 'warning'], [60, 'critical']],
  };
  const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
  const SVG = 'http://www.w3.org/2000/svg';

  const samples = new Map(); // member name -> [{t, bytes, seconds}]
  const colors = new Map();
  let unit = 'bytes';
  let dataPath = '/dashboard/data';
  let polls = 0;

  const $ = id => document.getElementById(id);

  function el(tag, attrs, parent, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text != null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function html(tag, attrs, parent, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text != null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function colorOf(name) {
    if (!colors.has(name)) colors.set(name, PALETTE[colors.size % PALETTE.length]);
    return colors.get(name);
  }

  async function fetchData() {
    let res = await fetch(API + dataPath, { cache: 'no-store' });
    if (res.status === 404 && dataPath !== '/meridian/cluster') {
      dataPath = '/meridian/cluster';
      res = await fetch(API + dataPath, { cache: 'no-store' });
    }
    if (!res.ok) throw new Error('GET ' + dataPath + ' answered ' + res.status);
    const body = await res.json();
    return body && body.cluster ? body : { cluster: body, local: null, alerts: null };
  }

  async function poll() {
    try {
      render(await fetchData());
      $('connection').textContent = 'live';
      $('connection').className = 'connection ok';
    } catch (e) {
      $('connection').textContent = 'problem: ' + e.message;
      $('connection').className = 'connection down';
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  function render(data) {
    const cluster = data.cluster || {};
    const leader = cluster.leader ? cluster.leader.name : '';
    document.body.dataset.leader = leader;
    document.body.dataset.polls = String(++polls);
    const rows = L.members(cluster, data.local);
    document.title = 'Meridian — ' + (cluster.name || 'cluster') + (leader ? ' — ' + leader : ' — no leader');
    $('cluster-name').textContent = cluster.name || '';
    $('leader-name').textContent = leader || 'none';
    $('leader-name').className = leader ? '' : 'bad';
    const tl = (cluster.status && cluster.status.timeline) || (rows.find(r => r.isLeader) || {}).timeline;
    $('timeline').textContent = tl || '—';
    $('updated').textContent = new Date().toLocaleTimeString();
    record(rows);
    const failed = [];
    const section = (name, draw) => { try { draw(); } catch (e) { failed.push(name + ': ' + e.message); } };
    section('topology', () => drawTopology(rows));
    section('lag chart', () => drawChart());
    section('alerts', () => drawAlerts(data.alerts));
    section('sync', () => drawSync(cluster.sync, rows));
    section('slots', () => drawSlots(L.slots(cluster, data.local)));
    section('history', () => drawHistory(cluster.history || []));
    if (failed.length) throw new Error(failed.join('; '));
  }

  function record(rows) {
    const now = Date.now();
    for (const r of rows) {
      if (r.isLeader) continue;
      if (!samples.has(r.name)) samples.set(r.name, []);
      samples.get(r.name).push({ t: now, bytes: r.lagBytes, seconds: r.lagSeconds });
    }
    for (const [name, list] of samples) {
      while (list.length && list[0].t < now - WINDOW_MS) list.shift();
      if (!list.length) samples.delete(name);
    }
  }

  function severity(value, kind) {
    let s = 'ok';
    for (const [limit, level] of THRESHOLDS[kind]) if (value != null && value > limit) s = level;
    return s;
  }

  function drawTopology(rows) {
    const svg = $('topology');
    svg.replaceChildren();
    const regions = L.regions(rows);
    const colW = 260, boxW = 220, boxH = 74, gap = 16, band = 58, top = band + 44;
    const perRegion = regions.map(g => rows.filter(r => r.region === g));
    const height = top + Math.max(1, ...perRegion.map(list => list.length)) * (boxH + gap) + 10;
    svg.setAttribute('viewBox', `0 0 ${Math.max(1, regions.length) * colW} ${height}`);
    svg.style.height = height + 'px';
    const centre = i => i * colW + colW / 2;
    const leader = rows.find(r => r.isLeader);
    const from = leader ? regions.indexOf(leader.region) : -1;
    // One arc per region the leader ships WAL to, over the columns, coloured by that region's worst lag.
    regions.forEach((region, i) => {
      if (from < 0 || i === from) return;
      const followers = perRegion[i].filter(r => !r.isLeader);
      if (!followers.length) return;
      const worst = Math.max(...followers.map(r => r.lagBytes || 0));
      const streaming = followers.some(r => r.streaming);
      const x1 = centre(from), x2 = centre(i), lift = Math.min(band - 12, 10 + 16 * Math.abs(i - from));
      el('path', { d: `M ${x1} ${band + 4} C ${x1} ${band - lift}, ${x2} ${band - lift}, ${x2} ${band + 4}`,
        class: 'link ' + (streaming ? 'streaming ' + severity(worst, 'bytes') : 'broken'), 'data-region': region }, svg);
      // Label at the arrival end, where no other arc passes (farther regions get higher arcs).
      el('text', { x: x2 + (x2 > x1 ? 8 : -8), y: band - 2, class: 'link-label', 'text-anchor': x2 > x1 ? 'start' : 'end' },
        svg, L.formatBytes(worst) + (streaming ? '' : ' · not streaming'));
    });
    regions.forEach((region, i) => {
      const x = i * colW + 10;
      const g = el('g', { class: 'region', 'data-region': region }, svg);
      el('rect', { x: x - 6, y: band + 6, width: colW - 8, height: height - band - 12, rx: 10, class: 'region-bg' }, g);
      el('text', { x: x + 4, y: band + 30, class: 'region-name' }, g, region + (i === from ? ' · leader' : ''));
      perRegion[i].forEach((r, j) => drawMember(svg, r, x + 10, top + j * (boxH + gap), boxW, boxH));
    });
  }

  function drawMember(svg, r, x, y, w, h) {
    const g = el('g', { class: 'member ' + (r.isLeader ? 'leader' : r.role.toLowerCase()), 'data-member': r.name }, svg);
    el('rect', { x, y, width: w, height: h, rx: 8 }, g);
    el('text', { x: x + 12, y: y + 22, class: 'member-name' }, g, (r.isLeader ? '★ ' : '') + r.name);
    el('text', { x: x + 12, y: y + 42, class: 'member-role' }, g,
      (r.isLeader ? 'leader' : r.role.toLowerCase()) + ' · ' + r.state + (r.timeline ? ' · TL ' + r.timeline : ''));
    const lag = r.isLeader ? 'writes here'
      : (r.streaming ? 'streaming' : 'not streaming') + ' · lag ' + L.formatBytes(r.lagBytes) + ' / ' + L.formatSeconds(r.lagSeconds);
    el('text', { x: x + 12, y: y + 62, class: 'member-lag ' + (r.isLeader ? '' : severity(r.lagBytes, 'bytes')) }, g, lag);
    if (!r.isLeader && !r.streaming && r.receiverError) {
      // Why WAL does not arrive (the WAL receiver's last error): a tooltip on the box and a red outline.
      g.classList.add('receiver-error');
      el('title', {}, g, r.name + ' is not streaming: ' + r.receiverError);
    }
  }

  function drawChart() {
    const svg = $('lag-chart');
    svg.replaceChildren();
    const W = 900, H = 260, left = 72, right = 12, topPad = 12, bottom = 26;
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    const now = Date.now();
    const x = t => left + (W - left - right) * (1 - (now - t) / WINDOW_MS);
    let max = unit === 'bytes' ? MIB : 1;
    for (const list of samples.values()) for (const s of list) if (s[unit] != null) max = Math.max(max, s[unit]);
    max *= 1.15;
    const y = v => H - bottom - (H - bottom - topPad) * (v / max);
    const fmt = unit === 'bytes' ? L.formatBytes : L.formatSeconds;
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      el('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }, svg);
      el('text', { x: left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, svg, fmt(v));
    }
    for (let m = 0; m <= WINDOW_MS / 60000; m++) {
      const tx = x(now - m * 60000);
      el('text', { x: tx, y: H - 6, class: 'axis', 'text-anchor': 'middle' }, svg, m === 0 ? 'now' : '-' + m + ' min');
    }
    for (const [limit, level] of THRESHOLDS[unit]) {
      if (limit < max) el('line', { x1: left, x2: W - right, y1: y(limit), y2: y(limit), class: 'threshold ' + level }, svg);
    }
    const legend = $('lag-legend');
    legend.replaceChildren();
    for (const [name, list] of [...samples.entries()].sort()) {
      const pts = list.filter(s => s[unit] != null).map(s => `${x(s.t).toFixed(1)},${y(s[unit]).toFixed(1)}`);
      if (pts.length) el('polyline', { points: pts.join(' '), class: 'series', stroke: colorOf(name), 'data-member': name }, svg);
      const last = list[list.length - 1];
      const item = html('span', { class: 'item' }, legend);
      html('i', { style: 'background:' + colorOf(name) }, item);
      item.append(name + ' ' + fmt(last ? last[unit] : null));
    }
  }

  function drawAlerts(alerts) {
    const ul = $('alerts');
    ul.replaceChildren();
    if (alerts == null) { html('li', { class: 'none' }, ul, 'not available (this agent serves /cluster only)'); return; }
    if (!alerts.length) { html('li', { class: 'none' }, ul, 'none'); return; }
    for (const a of alerts) {
      const li = html('li', { class: a.severity || 'warning' }, ul);
      html('strong', {}, li, a.name);
      li.append(' ' + (a.summary || a.member || ''));
    }
  }

  function drawSync(sync, rows) {
    const box = $('sync');
    box.replaceChildren();
    const members = (sync && sync.members) || [];
    const quorum = (sync && sync.quorum) || 0;
    if (!quorum || !members.length) {
      $('sync-summary').textContent = 'asynchronous';
      html('p', { class: 'none' }, box, 'Asynchronous replication: no standby confirms commits.');
      return;
    }
    const streaming = members.filter(n => (rows.find(r => r.name === n) || {}).streaming);
    $('sync-summary').textContent = `ANY ${quorum} of ${members.length} (${streaming.length} streaming)`;
    $('sync-summary').className = streaming.length < quorum ? 'bad' : '';
    html('p', {}, box, `Commits wait for ${quorum} of:`);
    const ul = html('ul', { class: 'chips' }, box);
    for (const n of members) {
      const r = rows.find(x => x.name === n);
      html('li', { class: r && r.streaming ? 'ok' : 'bad' }, ul, n + (r ? ' (' + r.region + ')' : '') + (r && r.streaming ? '' : ' — not streaming'));
    }
  }

  function drawSlots(slots) {
    const body = $('slots').tBodies[0];
    body.replaceChildren();
    if (!slots.length) { html('td', { colspan: 4, class: 'none' }, html('tr', {}, body), 'no replication slots'); return; }
    for (const s of slots) {
      const tr = html('tr', { 'data-slot': s.name }, body);
      html('td', {}, tr, s.name);
      html('td', { class: s.active === false ? 'bad' : '' }, tr, s.active == null ? '?' : s.active ? 'yes' : 'no');
      html('td', { class: s.retainedBytes > 10 * 1024 * MIB ? 'bad' : '' }, tr, L.formatBytes(s.retainedBytes));
      html('td', {}, tr, s.walStatus);
    }
  }

  function drawHistory(events) {
    const body = $('history').tBodies[0];
    body.replaceChildren();
    const recent = events.slice(-10).reverse();
    if (!recent.length) { html('td', { colspan: 4, class: 'none' }, html('tr', {}, body), 'no leadership change yet'); return; }
    for (const e of recent) {
      const tr = html('tr', { class: e.reason || '' }, body);
      const at = L.field(e, 'at', 'atMillis');
      html('td', {}, tr, at ? new Date(at).toLocaleString() : '—');
      html('td', {}, tr, e.reason || '');
      html('td', {}, tr, (L.field(e, 'old_leader', 'oldLeader') || '—') + ' → ' + (L.field(e, 'new_leader', 'newLeader') || '?') +
        (e.region ? ' (' + e.region + ')' : ''));
      html('td', {}, tr, e.timeline != null ? String(e.timeline) : '');
    }
  }

  function setUnit(u) {
    unit = u;
    $('unit-bytes').className = u === 'bytes' ? 'on' : '';
    $('unit-seconds').className = u === 'seconds' ? 'on' : '';
    drawChart();
  }

  $('unit-bytes').addEventListener('click', () => setUnit('bytes'));
  $('unit-seconds').addEventListener('click', () => setUnit('seconds'));
  $('window-minutes').textContent = String(WINDOW_MS / 60000);
  poll();
})();
