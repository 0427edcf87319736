import assert from 'node:assert/strict';
import { agreedFeatures } from '../../../../src/core/wire/features';
import { forPeer } from '../../../../src/core/wire/forPeer';
import type { HostMessage } from '../../../../src/core/wire/protocol';

const resolved: HostMessage = { type: 'resolved', id: 'a', session: 's', resolution: 'allowed', by: 'VS Code', author: { kind: 'vscode' } };
const hello: HostMessage = { type: 'hello', v: 1, hostName: 'h', sessions: [], features: ['author'] };

describe('features', () => {
  it('agrees on the features both sides listed, ignoring names this build does not know', () => {
    assert.deepEqual([...agreedFeatures(['author', 'voice-notes'])], ['author']);
    assert.deepEqual([...agreedFeatures(['voice-notes'])], []);
    assert.deepEqual([...agreedFeatures(undefined)], []);
  });

  it('gives a v1 peer exactly the v1 shapes: no author, no features in hello', () => {
    assert.deepEqual(forPeer(resolved, undefined), { type: 'resolved', id: 'a', session: 's', resolution: 'allowed', by: 'VS Code' });
    assert.deepEqual(forPeer(hello, undefined), { type: 'hello', v: 1, hostName: 'h', sessions: [] });
  });

  it('gives a peer that announced features its hello, and the author only when it agreed to it', () => {
    assert.deepEqual(forPeer(hello, new Set()), hello);
    assert.equal('author' in forPeer(resolved, new Set())!, false);
    assert.deepEqual(forPeer(resolved, new Set(['author'] as const)), resolved);
  });

  it('sends schedule listings only to a peer that agreed to the schedules feature', () => {
    const listing: HostMessage = { type: 'schedules', listing: { schedules: [], runs: [], loops: [] } };
    assert.equal(forPeer(listing, undefined), undefined);
    assert.equal(forPeer(listing, new Set(['author'] as const)), undefined);
    assert.deepEqual(forPeer(listing, new Set(['schedules'] as const)), listing);
  });
});
