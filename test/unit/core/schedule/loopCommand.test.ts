import assert from 'node:assert/strict';
import { describeInterval, LOOP_DEFAULT_INTERVAL_MS, parseLoopCommand } from '../../../../src/core/schedule/loopCommand';

const MIN = 60_000;

describe('parseLoopCommand', () => {
  it('reads a leading interval in every unit', () => {
    assert.deepEqual(parseLoopCommand('/loop 5m check if the deploy finished'), { ok: true, intervalMs: 5 * MIN, prompt: 'check if the deploy finished', rounded: false });
    assert.deepEqual(parseLoopCommand('/loop 2h look'), { ok: true, intervalMs: 120 * MIN, prompt: 'look', rounded: false });
    assert.deepEqual(parseLoopCommand('/loop 1d look'), { ok: true, intervalMs: 1440 * MIN, prompt: 'look', rounded: false });
    assert.deepEqual(parseLoopCommand('/loop 10 minutes look'), { ok: true, intervalMs: 10 * MIN, prompt: 'look', rounded: false });
    assert.deepEqual(parseLoopCommand('/LOOP 3H look'), { ok: true, intervalMs: 180 * MIN, prompt: 'look', rounded: false });
  });

  it('rounds seconds up to whole minutes, and says so', () => {
    assert.deepEqual(parseLoopCommand('/loop 30s ping'), { ok: true, intervalMs: MIN, prompt: 'ping', rounded: true });
    assert.deepEqual(parseLoopCommand('/loop 90s ping'), { ok: true, intervalMs: 2 * MIN, prompt: 'ping', rounded: true });
    assert.deepEqual(parseLoopCommand('/loop 120s ping'), { ok: true, intervalMs: 2 * MIN, prompt: 'ping', rounded: false });
  });

  it('reads a trailing "every N unit", with or without N', () => {
    assert.deepEqual(parseLoopCommand('/loop check the build every 2 hours'), { ok: true, intervalMs: 120 * MIN, prompt: 'check the build', rounded: false });
    assert.deepEqual(parseLoopCommand('/loop check the build, every 20m.'), { ok: true, intervalMs: 20 * MIN, prompt: 'check the build', rounded: false });
    assert.deepEqual(parseLoopCommand('/loop check the build every hour'), { ok: true, intervalMs: 60 * MIN, prompt: 'check the build', rounded: false });
  });

  it('defaults to every 10 minutes, and leaves "every" inside a prompt alone', () => {
    assert.deepEqual(parseLoopCommand('/loop check the build'), { ok: true, intervalMs: LOOP_DEFAULT_INTERVAL_MS, prompt: 'check the build', rounded: false });
    assert.deepEqual(parseLoopCommand('/loop check every file for typos'), { ok: true, intervalMs: LOOP_DEFAULT_INTERVAL_MS, prompt: 'check every file for typos', rounded: false });
    // A number that is not an interval is part of the prompt.
    assert.deepEqual(parseLoopCommand('/loop 5 checks'), { ok: true, intervalMs: LOOP_DEFAULT_INTERVAL_MS, prompt: '5 checks', rounded: false });
  });

  it('is not a loop unless the text starts with the /loop word', () => {
    assert.equal(parseLoopCommand('please /loop 5m x'), undefined);
    assert.equal(parseLoopCommand('/loopy 5m x'), undefined);
    assert.equal(parseLoopCommand('/compact'), undefined);
    assert.ok(parseLoopCommand('  /loop 5m x')?.ok);
  });

  it('refuses an empty prompt, a zero or too long interval, and a command as the prompt, saying why', () => {
    const bad: Array<[string, RegExp]> = [
      ['/loop', /Say what to repeat/],
      ['/loop   ', /Say what to repeat/],
      ['/loop 5m', /Say what to repeat/],
      ['/loop every 5m', /Say what to repeat/],
      ['/loop 0m x', /more than zero/],
      ['/loop 8d x', /at most 7 days/],
      ['/loop 5m /clear', /not a command/],
    ];
    for (const [text, message] of bad) {
      const r = parseLoopCommand(text);
      assert.ok(r && !r.ok, text);
      assert.match(r.message, message, text);
    }
  });

  it('describes intervals in plain words', () => {
    assert.equal(describeInterval(MIN), '1 minute');
    assert.equal(describeInterval(90 * MIN), '90 minutes');
    assert.equal(describeInterval(120 * MIN), '2 hours');
    assert.equal(describeInterval(1440 * MIN), '1 day');
  });
});
