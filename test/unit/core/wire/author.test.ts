import assert from 'node:assert/strict';
import { ManualClock } from '../../../../src/core/base/clock';
import { authorFromLabel, authorLabel, type Author } from '../../../../src/core/wire/author';
import type { ApprovalRequest } from '../../../../src/core/wire/protocol';
import { sanitizeName } from '../../../../src/core/pairing/deviceRegistry';
import { Store } from '../../../../webview-ui/state/store';
import { settle } from '../bridge/fakeBridgeLinks';
import { testHostStack } from '../bridge/testHostStack';

const authors: Author[] = [{ kind: 'device', name: 'Pixel 8' }, { kind: 'vscode' }, { kind: 'agent' }, { kind: 'expiry' }, { kind: 'walkie' }];

describe('Author', () => {
  it('labels each author with the v1 string hosts have always sent, and reads it back', () => {
    assert.deepEqual(authors.map(authorLabel), ['Pixel 8', 'VS Code', 'agent', 'timeout', 'walkie']);
    for (const a of authors) assert.deepEqual(authorFromLabel(authorLabel(a)), a);
    assert.deepEqual(authorFromLabel('local'), { kind: 'vscode' }, 'what older docs and tests called VS Code');
  });

  it('cannot be impersonated by a device name: the registry renames a device called like another author', () => {
    for (const a of authors.filter((x) => x.kind !== 'device')) assert.equal(authorFromLabel(sanitizeName(authorLabel(a))).kind, 'device', authorLabel(a));
  });

  it('shows a decision made in the VS Code panel as "in VS Code" on a phone, through the real panel and bridge paths', async () => {
    const s = await testHostStack();
    const phone = await s.phone('Pixel 8');
    const panel = s.panel();
    const { request, outcome } = s.approval();
    await settle();
    assert.equal(panel.store.state.approvals.length, 1);
    assert.equal(phone.store.state.approvals.length, 1);
    panel.controller.decide(request.id, 'allow');
    assert.deepEqual(await outcome, { resolution: 'allowed', author: { kind: 'vscode' }, by: 'VS Code' });
    const resolved = phone.got.find((m) => m.type === 'resolved');
    assert.deepEqual(resolved?.type === 'resolved' && [resolved.by, resolved.author], ['VS Code', { kind: 'vscode' }]);
    assert.deepEqual(phone.store.state.notices.map((n) => n.text), ['Approved in VS Code']);
  });

  it('shows a decision made on a phone as "on <phone>" in the VS Code panel, and an expiry as nobody\'s', async () => {
    const s = await testHostStack();
    const phone = await s.phone('Pixel 8');
    const panel = s.panel();
    const first = s.approval();
    await settle();
    phone.client.send({ type: 'decide', id: first.request.id, inputHash: first.request.inputHash, decision: 'deny' });
    assert.deepEqual((await first.outcome).author, { kind: 'device', name: 'Pixel 8' });
    assert.deepEqual(panel.store.state.notices.map((n) => n.text), ['Denied on Pixel 8']);
    s.approval('npm run lint');
    s.clock.advance(60_000);
    assert.deepEqual(panel.store.state.notices.map((n) => n.text), ['Approval request expired']);
  });

  it('reads the v1 strings production hosts sent before `author` ("VS Code") as the computer, not as a device', () => {
    const store = new Store(new ManualClock(), { state: 'online', since: 0 });
    const request: ApprovalRequest = { id: 'a1', session: 's1', tool: 'Bash', summary: 's', detail: { kind: 'command', command: 'ls' }, cwd: '/w', risk: { level: 'low', reasons: [] }, inputHash: 'c'.repeat(64), createdAt: 0, expiresAt: 60_000 };
    store.apply({ type: 'approval', request });
    store.apply({ type: 'resolved', id: 'a1', session: 's1', resolution: 'allowed', by: 'VS Code' });
    assert.deepEqual(store.state.notices.map((n) => n.text), ['Approved in VS Code']);
  });
});
