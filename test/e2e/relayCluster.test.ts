// The relay as a cluster, as an operator runs it: three `walkie relay --redis` processes sharing one real
// redis-server, a round-robin TCP balancer in front of nodes 2 and 3, `walkie host -- claude` (the real
// Claude Code CLI against a scripted model) connected to node 1 and `walkie device --json` through the
// balancer — so every frame between them crosses nodes through Redis.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claudeBin, seedClaudeHome, type ClaudeHome } from '../fixtures/claudeEnv';
import { startMockAnthropic, type MockAnthropic } from '../fixtures/mockAnthropic';
import { freePort, RedisTestServer } from '../unit/relay/redisTestServer';
import { CliProcess, type JsonLine } from './cliProcess';
import { TcpBalancer } from './tcpBalancer';

describe('walkie relay --redis: three nodes, one Redis, host and device on different nodes', function () {
  this.timeout(90_000);
  let redis: RedisTestServer;
  let mock: MockAnthropic;
  let home: ClaudeHome;
  let project: string;
  let scratch: string;
  let balancer: TcpBalancer;
  const ports: number[] = [];
  const nodes: CliProcess[] = [];
  let host: CliProcess;
  let device: CliProcess;

  const startNode = async (i: number): Promise<void> => {
    const node = new CliProcess(['relay', '--port', String(ports[i]), '--redis', redis.url, '--drain-ms', '3000']);
    nodes[i] = node;
    await node.waitFor(`node ${i + 1} to listen`, () => node.stdout.includes('listening on'), 10_000);
  };
  const deviceArgs = () => ['device', '--json', '--state-dir', path.join(scratch, 'device'), '--name', 'cluster phone'];
  const approvalAfter = (from: number, tool: string) => device.line('approval', (l) => l.tool === tool, from);
  const decide = (a: JsonLine, decision: 'allow' | 'deny') => device.send({ type: 'decide', id: a.id, decision });
  const remoteDevices = async (i: number): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${ports[i]}/metrics`)).text();
    return Number(/^walkie_relay_remote_devices (\d+)$/m.exec(text)?.[1]);
  };
  const online = (from: number) => device.line('status', (l) => l.state === 'online', from);

  before(async () => {
    redis = await RedisTestServer.start();
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    for (let i = 0; i < 3; i++) await startNode(i);
    // Node 2 first: the device's first connection lands there.
    balancer = new TcpBalancer([ports[1]!, ports[2]!]);
    const lbPort = await balancer.start();
    mock = await startMockAnthropic();
    home = seedClaudeHome(mock.url);
    project = home.projects[0]!;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-cluster-'));
    const pairFile = path.join(scratch, 'pair.txt');
    host = new CliProcess(
      ['host', '--relay', `http://127.0.0.1:${ports[0]}`, '--pair-file', pairFile, '--state-dir', path.join(scratch, 'host'), '--name', 'cluster box', '--', claudeBin()],
      { cwd: project, env: home.env },
    );
    const url = await host.waitFor('the pairing file', () => fs.existsSync(pairFile) && fs.readFileSync(pairFile, 'utf8').trim());
    // The same pairing link, but through the balancer (nodes 2 and 3) instead of node 1.
    const viaBalancer = url.replace(`http://127.0.0.1:${ports[0]}/`, `http://127.0.0.1:${lbPort}/`);
    assert.notEqual(viaBalancer, url);
    device = new CliProcess([...deviceArgs().slice(0, 1), viaBalancer, ...deviceArgs().slice(1)]);
  });

  after(async () => {
    await device?.kill();
    await host?.kill();
    for (const n of nodes) await n?.kill('SIGKILL');
    await balancer?.close();
    await mock?.close();
    await redis?.stop();
    home?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('pairs and runs an approved command, with the host on node 1 and the device on node 2', async () => {
    const paired = await device.line('paired');
    assert.equal(paired.hostName, 'cluster box');
    const s = await device.line('session', (l) => ['idle', 'working', 'starting'].includes((l.session as { status: string }).status));
    assert.ok((s.session as { id: string }).id);
    const from = device.lines.length;
    device.send({ type: 'prompt', text: `SCENARIO:bash DIR=${project} go` });
    await device.line('chat', (l) => (l.event as { kind: string }).kind === 'user', from);
    const approval = await approvalAfter(from, 'Bash');
    decide(approval, 'allow');
    assert.equal((await device.line('resolved', (l) => l.id === approval.id, from)).resolution, 'allowed');
    await device.waitFor('out.txt', () => fs.existsSync(path.join(project, 'out.txt')));
    assert.equal(await remoteDevices(1), 1, 'the device is on node 2, its host elsewhere');
  });

  it('SIGKILL of node 2: the device reconnects through node 3 and the pending approval is not lost', async () => {
    const from = device.lines.length;
    device.send({ type: 'prompt', text: `SCENARIO:write DIR=${project} again` });
    const first = await approvalAfter(from, 'Write');
    const before = device.lines.length;
    await nodes[1]!.kill('SIGKILL');
    await device.line('status', (l) => l.state === 'offline', before);
    await online(before);
    // Still pending at the host, still answerable from the device after the move to node 3.
    const session = await device.line('session', (l) => (l.session as { status: string }).status === 'waiting', before);
    assert.ok(session);
    assert.equal(await remoteDevices(2), 1, 'the device came back through node 3');
    decide(first, 'allow');
    await device.line('resolved', (l) => l.id === first.id && l.resolution === 'allowed', from);
    await device.waitFor('notes.txt to be written', () => fs.existsSync(path.join(project, 'notes.txt')));
  });

  it('SIGTERM drains a node: it exits 0, and its device reconnects through another node', async () => {
    await startNode(1); // node 2 is back (same port), so the balancer has somewhere to send the device
    const from = device.lines.length;
    await nodes[2]!.kill('SIGTERM');
    assert.equal(nodes[2]!.exitCode, 0);
    assert.match(nodes[2]!.stdout, /shutting down \(draining\)/);
    await online(from);
    const p = device.lines.length;
    device.send({ type: 'prompt', text: 'hello after the drain' });
    await device.line('chat', (l) => (l.event as { kind: string }).kind === 'user', p);
    assert.equal(await remoteDevices(1), 1, 'the device moved to the restarted node 2');
  });
});
