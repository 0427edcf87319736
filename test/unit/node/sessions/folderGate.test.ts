import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkFolder, resolveAllowedFolders } from '../../../../src/node/sessions/folderGate';

describe('checkFolder', () => {
  let root: string;
  let allowed: string[];
  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-sessions-gate-')));
    for (const d of ['ok/sub', 'outside', 'ok-sibling']) fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.writeFileSync(path.join(root, 'ok', 'file.txt'), 'x');
    fs.symlinkSync(path.join(root, 'outside'), path.join(root, 'ok', 'escape'));
    fs.symlinkSync(path.join(root, 'ok', 'sub'), path.join(root, 'outside', 'inward'));
    allowed = resolveAllowedFolders([path.join(root, 'ok')]);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('accepts an allowed folder and the folders below it, as real paths', () => {
    assert.deepEqual(checkFolder(path.join(root, 'ok'), allowed), { ok: true, folder: path.join(root, 'ok') });
    assert.deepEqual(checkFolder(path.join(root, 'ok', 'sub'), allowed), { ok: true, folder: path.join(root, 'ok', 'sub') });
    // A link from outside that leads inside is judged by where it leads.
    assert.deepEqual(checkFolder(path.join(root, 'outside', 'inward'), allowed), { ok: true, folder: path.join(root, 'ok', 'sub') });
  });

  it('refuses, with a reason, everything else', () => {
    const reasons: [unknown, RegExp][] = [
      [path.join(root, 'outside'), /outside the folders/],
      [path.join(root, 'ok-sibling'), /outside the folders/],
      [path.join(root, 'ok', 'escape'), /leads to/],
      [`${root}/ok/../outside`, /contains "\.\."/],
      [`${root}/ok/sub/..`, /contains "\.\."/],
      ['ok/sub', /not a full path/],
      [path.join(root, 'ok', 'nope'), /does not exist/],
      [path.join(root, 'ok', 'file.txt'), /not a folder/],
      ['', /No folder/],
      [42, /No folder/],
      [`${root}/ok\0`, /No folder/],
    ];
    for (const [folder, reason] of reasons) {
      const r = checkFolder(folder, allowed);
      assert.equal(r.ok, false, String(folder));
      assert.match((r as { reason: string }).reason, reason, String(folder));
    }
    assert.match((checkFolder(path.join(root, 'ok'), []) as { reason: string }).reason, /allows no folders/);
  });

  it('refuses an allow-list entry that does not exist', () => {
    assert.throws(() => resolveAllowedFolders([path.join(root, 'missing')]), /does not exist/);
  });
});
