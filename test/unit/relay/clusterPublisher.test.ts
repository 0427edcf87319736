import assert from 'node:assert/strict';
import { ClusterPublisher, splitBatch } from '../../../src/relay/clusterPublisher';

const turn = () => new Promise((r) => setImmediate(r));

describe('ClusterPublisher', () => {
  it('sends what one turn of the event loop publishes to a node as one batch, in order', async () => {
    const sent: [string, Buffer][] = [];
    const p = new ClusterPublisher(async (node, batch) => void sent.push([node, batch]));
    for (let i = 0; i < 5; i++) p.publish('a', Buffer.from([i]));
    p.publish('b', Buffer.from('x'));
    assert.equal(sent.length, 0, 'nothing leaves before the turn ends');
    await turn();
    assert.deepEqual(sent.map(([n]) => n).sort(), ['a', 'b']);
    const a = splitBatch(sent.find(([n]) => n === 'a')![1])!;
    assert.deepEqual(a.map((m) => m[0]), [0, 1, 2, 3, 4]);
    p.publish('a', Buffer.from([9]));
    await turn();
    assert.equal(sent.length, 3, 'the next turn is the next batch');
  });

  it('runs the failure callbacks of a batch Redis would not take', async () => {
    let failed = 0;
    const p = new ClusterPublisher(() => Promise.reject(new Error('down')));
    p.publish('a', Buffer.from('1'), () => failed++);
    p.publish('a', Buffer.from('2'), () => failed++);
    await turn();
    await turn();
    assert.equal(failed, 2);
  });

  it('refuses a batch whose length runs past its end', () => {
    assert.deepEqual(splitBatch(Buffer.from([0, 0, 0, 1, 7, 0, 0, 0, 0])), [Buffer.from([7]), Buffer.alloc(0)]);
    assert.equal(splitBatch(Buffer.from([0, 0, 0, 5, 1])), undefined);
    assert.equal(splitBatch(Buffer.from([0, 0])), undefined);
  });
});
