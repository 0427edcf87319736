import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../../../src/node/sessions/auditLog';

describe('AuditLog', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-audit-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a 0600 file in a 0700 folder and appends one JSON line per record', () => {
    const file = path.join(dir, 'logs', 'audit.jsonl');
    const log = AuditLog.open(file);
    log.append({ n: 1 });
    log.append({ n: 2, text: 'line\nbreak' });
    log.close();
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.deepEqual(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)), [{ n: 1 }, { n: 2, text: 'line\nbreak' }]);
  });

  it('keeps earlier records when reopened and tightens a loose mode', () => {
    const file = path.join(dir, 'audit.jsonl');
    fs.writeFileSync(file, '{"old":true}\n', { mode: 0o644 });
    const log = AuditLog.open(file);
    log.append({ n: 1 });
    log.close();
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(file, 'utf8'), '{"old":true}\n{"n":1}\n');
  });

  it('refuses to write after close', () => {
    const log = AuditLog.open(path.join(dir, 'a.jsonl'));
    log.close();
    assert.throws(() => log.append({}), /closed/);
  });
});
