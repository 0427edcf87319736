import assert from 'node:assert/strict';
import { authorFromLabel, authorLabel } from '../../../../src/core/wire/author';
import { forPeer } from '../../../../src/core/wire/forPeer';
import type { HostMessage } from '../../../../src/core/wire/protocol';
import { checkHostMessage } from '../../../../src/core/wire/protocol';

describe('the terminal author (feature terminalAuthor)', () => {
  const resolved: HostMessage = { type: 'resolved', id: 'a1', session: 's1', resolution: 'allowed', by: 'terminal', author: { kind: 'terminal' } };

  it('reaches only peers that listed the feature; others get the v1 label alone', () => {
    assert.deepEqual(forPeer(resolved, new Set(['author', 'terminalAuthor'] as const)), resolved);
    for (const features of [undefined, new Set(['author'] as const)]) {
      const out: HostMessage | undefined = forPeer(resolved, features);
      assert.ok(out);
      assert.equal('author' in out, false);
      assert.equal((out as { by: string }).by, 'terminal');
    }
    // Other authors are unchanged for a peer with `author` only.
    const vscode: HostMessage = { ...resolved, by: 'VS Code', author: { kind: 'vscode' } } as HostMessage;
    assert.deepEqual(forPeer(vscode, new Set(['author'] as const)), vscode);
  });

  it('reads back from its label, which no device can take', () => {
    assert.equal(authorLabel({ kind: 'terminal' }), 'terminal');
    assert.deepEqual(authorFromLabel('terminal'), { kind: 'terminal' });
    assert.ok(checkHostMessage(resolved).ok);
  });
});
