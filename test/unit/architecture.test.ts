// The shape of the tree (issue 10): folders are layers, each may import only the layers listed before it
// (or its own folder), and no module imports itself back through others (no cycles). ESLint's
// no-restricted-imports (layering.test.ts) keeps the big layers apart; this keeps the folders inside them in
// order. A new folder must be placed in LAYERS, which is the design written down.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** Lowest first. A folder may import folders before it and itself. */
export const LAYERS = [
  'src/core/base',
  'src/core/noise',
  'src/core/wire',
  'src/core/redaction',
  'src/core/pairing',
  'src/core/approvals',
  'src/core/bridge',
  'src/core/host',
  'src/core/notify',
  'src/relay',
  'src/node/terminal',
  'src/node/agents',
  'src/node/agents/claude',
  'src/node/agents/codex',
  'src/node/agents/registry',
  'src/node/sessions',
  'src/node/attach',
  'src/node/reach',
  'src/node/notify',
  'src/node/host',
  'src/node/cli',
  'src/vscode/controller',
  'src/vscode/approvals',
  'src/vscode/sessions',
  'src/vscode/webviews',
  'src/vscode/commands',
  'src/vscode',
  'webview-ui/sw',
  'webview-ui/render',
  'webview-ui/transport',
  'webview-ui/state',
  'webview-ui/components',
  'webview-ui',
];

type Graph = Map<string, Set<string>>;

/** Every .ts/.tsx module under `tops` (repo-relative, without extension) and the modules it imports. */
function importGraph(tops: string[]): Graph {
  const files = new Map<string, string>();
  for (const top of tops) {
    for (const rel of fs.readdirSync(path.join(ROOT, top), { recursive: true }).map(String)) {
      if (/\.tsx?$/.test(rel) && !rel.endsWith('.d.ts')) files.set(path.join(top, rel).replace(/\.tsx?$/, ''), path.join(ROOT, top, rel));
    }
  }
  const graph: Graph = new Map();
  const spec = /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  for (const [mod, file] of files) {
    const deps = new Set<string>();
    for (const m of fs.readFileSync(file, 'utf8').matchAll(spec)) {
      const target = path.normalize(path.join(path.dirname(mod), m[1] ?? m[2]!));
      if (files.has(target)) deps.add(target);
    }
    graph.set(mod, deps);
  }
  return graph;
}

/** Imports that go up or sideways between folders, as "from → to". */
export function layerViolations(graph: Graph, layers: readonly string[]): string[] {
  const rank = (mod: string) => layers.indexOf(path.dirname(mod));
  const out: string[] = [];
  for (const [from, deps] of graph) {
    if (rank(from) < 0) out.push(`${from}: its folder is not in LAYERS`);
    for (const to of deps) if (path.dirname(to) !== path.dirname(from) && rank(to) > rank(from)) out.push(`${from} → ${to}`);
  }
  return out;
}

/** Strongly connected components with more than one module (Tarjan). */
export function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || graph.get(v)?.has(v)) found.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('architecture: folders are layers', () => {
  const graph = importGraph(['src', 'webview-ui']);

  it('reads the whole tree', () => {
    assert.ok(graph.size > 100, `only ${graph.size} modules found`);
  });

  it('imports only downwards between folders, and every folder has its place in LAYERS', () => {
    assert.deepEqual(layerViolations(graph, LAYERS), []);
  });

  it('has no import cycle between modules', () => {
    assert.deepEqual(cycles(graph), []);
  });

  it('catches an upward import and a cycle (the checks can fail)', () => {
    const bad: Graph = new Map([
      ['src/core/base/a', new Set(['src/core/host/b'])],
      ['src/core/host/b', new Set(['src/core/base/a'])],
      ['src/nowhere/c', new Set<string>()],
    ]);
    assert.deepEqual(layerViolations(bad, LAYERS), ['src/core/base/a → src/core/host/b', 'src/nowhere/c: its folder is not in LAYERS']);
    assert.deepEqual(cycles(bad), [['src/core/base/a', 'src/core/host/b']]);
  });
});
