/*
 * Pure functions of the dashboard: WAL positions, lag per member, slots, formatting. No DOM here,
 * so node's test runner checks them (lsn.test.js) and app.js only draws.
 */
(function (root) {
  'use strict';

  /** A field by any of its spellings: the agent's JSON uses snake_case for members, camelCase for PgState. */
  function field(obj, ...names) {
    if (obj == null) return undefined;
    for (const n of names) {
      if (obj[n] !== undefined && obj[n] !== null) return obj[n];
    }
    return undefined;
  }

  /**
   * A pg_lsn as a byte offset. "16/B374D848" is two 32-bit hex halves; numbers and {value: n} are
   * taken as they are. Exact up to 2^53 bytes (8 PiB of WAL), which no cluster reaches.
   */
  function parseLsn(v) {
    if (v == null || v === '') return 0;
    if (typeof v === 'number') return v;
    if (typeof v === 'object') return parseLsn(v.value);
    const m = /^\s*([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)\s*$/.exec(String(v));
    if (!m) throw new Error('not a pg_lsn: ' + JSON.stringify(v));
    return parseInt(m[1], 16) * 4294967296 + parseInt(m[2], 16);
  }

  /** parseLsn for data shown, not trusted: a malformed position reads as unknown (0) instead of failing the page. */
  function lsnOrZero(v) {
    try { return parseLsn(v); } catch (e) { return 0; }
  }

  function formatBytes(n) {
    if (n == null || Number.isNaN(n)) return '—';
    const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
    let u = 0;
    let v = n;
    while (Math.abs(v) >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return u === 0 ? Math.round(v) + ' B' : v.toFixed(v < 10 ? 1 : 0) + ' ' + units[u];
  }

  function formatSeconds(s) {
    if (s == null || Number.isNaN(s) || s < 0) return '—';
    if (s < 1) return (s * 1000).toFixed(0) + ' ms';
    if (s < 120) return s.toFixed(1) + ' s';
    return (s / 60).toFixed(1) + ' min';
  }

  function isLocalPrimary(local) {
    return !!local && field(local, 'running') === true && field(local, 'inRecovery', 'in_recovery') === false;
  }

  /** The leader's WAL position: the local primary's own when this agent runs it, else what etcd holds. */
  function leaderLsn(cluster, local) {
    const leaderName = cluster.leader ? cluster.leader.name : null;
    const leader = (cluster.members || []).find(m => m.name === leaderName);
    let lsn = leader ? lsnOrZero(field(leader, 'write_lsn', 'writeLsn')) : 0;
    if (!lsn) lsn = lsnOrZero(field(cluster.status || {}, 'leader_lsn', 'leaderLsn'));
    if (isLocalPrimary(local)) lsn = Math.max(lsn, lsnOrZero(field(local, 'writeLsn', 'write_lsn')));
    return lsn;
  }

  /**
   * One row per member: role, state, whether it leads and streams, and its lag (leader write_lsn minus
   * its replay_lsn; the local primary's pg_stat_replication row when there is one, being fresher).
   */
  function members(cluster, local) {
    const leaderName = cluster.leader ? cluster.leader.name : null;
    const head = leaderLsn(cluster, local);
    const replicas = isLocalPrimary(local) ? (field(local, 'replicas') || []) : [];
    return (cluster.members || []).map(m => {
      const isLeader = m.name === leaderName;
      const role = String(m.role || 'UNKNOWN').toUpperCase();
      let replay = lsnOrZero(field(m, 'replay_lsn', 'replayLsn'));
      let seconds = field(m, 'replay_lag_seconds', 'replayLagSeconds');
      const rc = replicas.find(r => field(r, 'applicationName', 'application_name') === m.name);
      if (rc) {
        replay = Math.max(replay, lsnOrZero(field(rc, 'replayLsn', 'replay_lsn')));
        const s = field(rc, 'replayLagSeconds', 'replay_lag_seconds');
        if (s != null && s >= 0) seconds = s;
      }
      const follower = !isLeader && role !== 'PRIMARY';
      return {
        name: m.name,
        region: m.region || 'default',
        role: isLeader ? 'LEADER' : role,
        state: m.state || 'unknown',
        timeline: m.timeline,
        isLeader: isLeader,
        streaming: field(m, 'replication_state', 'replicationState') === 'streaming' ||
          (rc ? field(rc, 'state') === 'streaming' : false),
        lagBytes: follower && head && replay ? Math.max(0, head - replay) : (follower ? null : 0),
        lagSeconds: follower ? (seconds != null && seconds >= 0 ? seconds : null) : 0,
        receiverError: field(m, 'wal_receiver_error', 'walReceiverError') || null,
      };
    });
  }

  /** Slots with retained WAL: the primary's own view when local, else leader LSN minus the published restart LSN. */
  function slots(cluster, local) {
    if (isLocalPrimary(local) && Array.isArray(field(local, 'slots'))) {
      return field(local, 'slots').map(s => ({
        name: s.name,
        active: !!s.active,
        retainedBytes: field(s, 'retainedBytes', 'retained_bytes'),
        walStatus: field(s, 'walStatus', 'wal_status') || '',
      }));
    }
    const head = leaderLsn(cluster, local);
    const published = (cluster.status && cluster.status.slots) || {};
    return Object.keys(published).sort().map(name => {
      const restart = lsnOrZero(published[name]);
      return { name: name, active: null, retainedBytes: head && restart ? Math.max(0, head - restart) : null, walStatus: '' };
    });
  }

  /** Regions in display order: the leader's first, then by name. */
  function regions(rows) {
    const leader = rows.find(r => r.isLeader);
    const names = [...new Set(rows.map(r => r.region))].sort();
    if (leader) names.sort((a, b) => (a === leader.region ? -1 : b === leader.region ? 1 : 0));
    return names;
  }

  const api = { field, parseLsn, lsnOrZero, formatBytes, formatSeconds, leaderLsn, members, slots, regions, isLocalPrimary };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.MeridianLsn = api;
})(typeof self !== 'undefined' ? self : this);
