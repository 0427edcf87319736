import assert from 'node:assert/strict';
import { stderrLogger } from '../../../../src/node/cli/stderrLogger';

describe('stderrLogger', () => {
  it('writes one stamped line per event from its level up, and never trace', () => {
    const lines: string[] = [];
    const log = stderrLogger({ write: (s: string) => lines.push(s) }, 'warn');
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('careful');
    log.error('broken');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z walkie \[warn\] careful\n$/);
    assert.match(lines[1]!, /walkie \[error\] broken\n$/);
    const all: string[] = [];
    const verbose = stderrLogger({ write: (s: string) => all.push(s) }, 'debug');
    verbose.trace('t');
    verbose.debug('d');
    assert.deepEqual(all.map((l) => l.split(' ').slice(1).join(' ')), ['walkie [debug] d\n']);
  });
});
