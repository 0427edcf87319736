// The real Codex CLI served to a device through HostService: what crosses to the device is chat only, and a
// device prompt is a prompt (never a shell escape), typed exactly once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { nullLogger } from '../../src/core/base/logger';
import { HostService } from '../../src/core/host/hostService';
import type { HostMessage } from '../../src/core/wire/protocol';
import { startMockOpenAI, toolOutputs, userMessagesWith, type MockOpenAI } from '../fixtures/mockOpenAI';
import { waitFor } from './agentHarness';
import { startCodexHarness, type CodexHarness } from './codexHarness';

describe('The real Codex CLI and a device', function () {
  this.timeout(60_000);
  let mock: MockOpenAI;
  let h: CodexHarness | undefined;
  let service: HostService | undefined;

  before(async () => {
    mock = await startMockOpenAI();
  });
  after(async () => {
    await mock.close();
  });
  afterEach(async () => {
    service?.dispose();
    await h?.close();
    h = service = undefined;
  });

  async function serve(extraEnv?: NodeJS.ProcessEnv): Promise<{ harness: CodexHarness; sent: HostMessage[] }> {
    const harness = (h = await startCodexHarness({ mockUrl: mock.url, extraEnv }));
    service = new HostService({ broker: harness.broker, hostName: 'test', logger: nullLogger });
    const sent: HostMessage[] = [];
    service.connect({ id: 'phone', name: 'phone', send: (m) => sent.push(m) });
    service.addSession(harness.session);
    return { harness, sent };
  }

  it('never sends a device the contents of a file or an environment variable the agent read', async () => {
    const fileCanary = `FILE-CANARY-${Date.now()}`;
    const envCanary = `ENV-CANARY-${Date.now()}`;
    const { harness, sent } = await serve({ WALKIE_TEST_CANARY: envCanary });
    fs.writeFileSync(path.join(harness.project, 'canary.txt'), fileCanary);
    void harness.session.prompt(`SCENARIO:canary DIR=${harness.project}`);
    const request = await waitFor('the approval', () => harness.approvals[0]);
    assert.equal(harness.broker.decide(request.id, request.inputHash, 'allow', { kind: 'device', name: 'phone' }).ok, true);
    // The command ran and the model got both canaries: they were there to leak.
    await waitFor('the output at the model', () => toolOutputs(mock.requests).some((o) => o.output.includes(fileCanary) && o.output.includes(envCanary)));
    await waitFor('the answer in chat', () => harness.chatEvents().some((e) => e.kind === 'assistant' && e.text === 'I looked at it.'));
    await waitFor('the ok status at the device', () => sent.some((m) => m.type === 'chat' && m.event.kind === 'tool' && m.event.status === 'ok'));
    const wire = JSON.stringify(sent);
    assert.ok(!wire.includes(fileCanary), 'file contents reached a device');
    assert.ok(!wire.includes(envCanary), 'an environment variable reached a device');
    assert.ok(sent.some((m) => m.type === 'session' && m.session.agent === 'codex'), 'the device is told the session runs Codex');
  });

  it('types a device prompt that starts with ! as a prompt: the model gets it once and no shell runs it', async () => {
    const { harness } = await serve();
    const marker = `bang-${Date.now()}`;
    await harness.session.prompt(`!touch pwned.txt ${marker}`, 'client-bang');
    await waitFor('the prompt at the model', () => userMessagesWith(mock.requests, marker).length > 0);
    await waitFor('the turn to end', () => harness.session.info().status === 'idle');
    assert.deepEqual(userMessagesWith(mock.requests, marker), [`!touch pwned.txt ${marker}`]);
    assert.equal(fs.existsSync(path.join(harness.project, 'pwned.txt')), false, 'Codex shell mode ran the text');
    assert.equal(harness.approvals.length, 0);
  });
});
