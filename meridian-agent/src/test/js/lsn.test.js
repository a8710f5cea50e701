// node --test meridian-agent/src/test/js/  (deploy/check runs it)
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const L = require('../../main/resources/dashboard/lsn.js');

const cluster = {
  name: 'geo',
  leader: { name: 'paris-1' },
  members: [
    { name: 'paris-1', region: 'paris', role: 'PRIMARY', state: 'running', write_lsn: '1/00000000' },
    { name: 'newyork-1', region: 'newyork', role: 'REPLICA', state: 'running', replay_lsn: '0/F0000000',
      replication_state: 'streaming', replay_lag_seconds: 1.5 },
    { name: 'tokyo-1', region: 'tokyo', role: 'UNKNOWN', state: 'stopped', replay_lsn: '0/0', replay_lag_seconds: -1 },
  ],
  status: { leader_lsn: '0/FF000000', timeline: 3, slots: { tokyo_1: '0/80000000' } },
};

test('parses pg_lsn text, numbers and {value}', () => {
  assert.strictEqual(L.parseLsn('0/3000060'), 0x3000060);
  assert.strictEqual(L.parseLsn('16/B374D848'), 0x16 * 2 ** 32 + 0xB374D848);
  assert.strictEqual(L.parseLsn(42), 42);
  assert.strictEqual(L.parseLsn({ value: 7 }), 7);
  assert.strictEqual(L.parseLsn(null), 0);
  assert.throws(() => L.parseLsn('3000060'), /not a pg_lsn/);
});

test('lag is the leader write_lsn minus the member replay_lsn', () => {
  const rows = L.members(cluster, null);
  const ny = rows.find(r => r.name === 'newyork-1');
  assert.strictEqual(ny.lagBytes, 0x10000000);
  assert.strictEqual(ny.lagSeconds, 1.5);
  assert.strictEqual(ny.streaming, true);
  const paris = rows.find(r => r.name === 'paris-1');
  assert.strictEqual(paris.isLeader, true);
  assert.strictEqual(paris.role, 'LEADER');
  const tokyo = rows.find(r => r.name === 'tokyo-1');
  assert.strictEqual(tokyo.lagBytes, null, 'a stopped member has no replay position: lag unknown');
  assert.strictEqual(tokyo.lagSeconds, null);
});

test('the local primary\'s pg_stat_replication is fresher than etcd', () => {
  const local = { running: true, inRecovery: false, writeLsn: '1/00100000',
    replicas: [{ applicationName: 'newyork-1', state: 'streaming', replayLsn: '1/00000000', replayLagSeconds: 0.2 }],
    slots: [{ name: 'newyork_1', active: true, retainedBytes: 1048576, walStatus: 'reserved' }] };
  const ny = L.members(cluster, local).find(r => r.name === 'newyork-1');
  assert.strictEqual(ny.lagBytes, 0x100000);
  assert.strictEqual(ny.lagSeconds, 0.2);
  assert.deepStrictEqual(L.slots(cluster, local), [{ name: 'newyork_1', active: true, retainedBytes: 1048576, walStatus: 'reserved' }]);
});

test('without the primary, slots are measured from the published status', () => {
  assert.deepStrictEqual(L.slots(cluster, null), [{ name: 'tokyo_1', active: null, retainedBytes: 0x80000000, walStatus: '' }]);
});

test('the leader\'s region comes first', () => {
  const rows = L.members({ ...cluster, leader: { name: 'tokyo-1' } }, null);
  assert.deepStrictEqual(L.regions(rows), ['tokyo', 'newyork', 'paris']);
});

test('formats like pg_size_pretty', () => {
  assert.strictEqual(L.formatBytes(0), '0 B');
  assert.strictEqual(L.formatBytes(200 * 1024 * 1024), '200 MB');
  assert.strictEqual(L.formatBytes(1.5 * 1024 ** 3), '1.5 GB');
  assert.strictEqual(L.formatSeconds(0.25), '250 ms');
  assert.strictEqual(L.formatSeconds(-1), '—');
});

test('a malformed position shows as unknown lag instead of failing the page', () => {
  const bad = { ...cluster, members: [cluster.members[0], { ...cluster.members[1], replay_lsn: 'garbage' }] };
  const ny = L.members(bad, null).find(r => r.name === 'newyork-1');
  assert.strictEqual(ny.lagBytes, null);
});
