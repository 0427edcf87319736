import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '../../..');

/** Lints `code` as if it were the file at `file` (relative to the repo root) and returns the rule ids hit. */
async function ruleIds(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? 'fatal');
}

describe('layering (eslint no-restricted-imports)', function () {
  this.timeout(60000);

  it('rejects vscode in src/core', async () => {
    assert.ok((await ruleIds('src/core/x.ts', "import * as vscode from 'vscode';\nexport const a = vscode;\n")).includes('no-restricted-imports'));
  });
  it('rejects Node built-ins in src/core', async () => {
    assert.ok((await ruleIds('src/core/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).includes('no-restricted-imports'));
  });
  it('rejects src/node from src/core', async () => {
    assert.ok((await ruleIds('src/core/x.ts', "import { which } from '../node/which';\nexport const a = which;\n")).includes('no-restricted-imports'));
  });
  it('rejects vscode in src/node and src/relay', async () => {
    for (const f of ['src/node/x.ts', 'src/relay/x.ts']) {
      assert.ok((await ruleIds(f, "import * as vscode from 'vscode';\nexport const a = vscode;\n")).includes('no-restricted-imports'), f);
    }
  });
  it('rejects src/node from src/relay', async () => {
    assert.ok((await ruleIds('src/relay/x.ts', "import { which } from '../node/which';\nexport const a = which;\n")).includes('no-restricted-imports'));
  });
  it('rejects Node built-ins and src/node in the web UI', async () => {
    assert.ok((await ruleIds('webview-ui/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).includes('no-restricted-imports'));
    assert.ok((await ruleIds('webview-ui/x.ts', "import { which } from '../src/node/which';\nexport const a = which;\n")).includes('no-restricted-imports'));
  });
  it('allows the permitted directions', async () => {
    assert.deepEqual(await ruleIds('src/vscode/x.ts', "import { which } from '../node/which';\nexport const a = which;\n"), []);
    assert.deepEqual(await ruleIds('webview-ui/x.ts', "import { nullLogger } from '../src/core/logger';\nexport const a = nullLogger;\n"), []);
  });
  it('rejects Math.random anywhere in product code', async () => {
    assert.ok((await ruleIds('src/node/x.ts', 'export const a = Math.random();\n')).includes('no-restricted-syntax'));
  });
});
