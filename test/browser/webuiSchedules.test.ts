// The Schedules screen (feature `schedules`) in Chromium at a phone viewport, driven through the panel's
// postMessage transport: shown only when the host agreed to the feature; lists schedules with their next
// three runs, runs with their result, duration and approvals, and loops; sends run-now, delete, cancel and a
// new schedule as the host expects them.
import assert from 'node:assert/strict';
import type { HostMessage } from '../../src/core/wire/protocol';
import { eventually, hello, panelSuite, screenshot, session, type Panel } from './webuiHarness';

const T = Date.UTC(2026, 2, 30, 6, 0);
const listing: HostMessage = {
  type: 'schedules',
  listing: {
    schedules: [
      { id: 'sch1', dir: '/home/dev/project', prompt: 'Check the nightly build', cadence: { kind: 'weekdays', time: '08:00' }, timeZone: 'Europe/Paris', enabled: true, missed: 'catch-up-once', createdAt: T - 1e9, updatedAt: T - 1e9, nextRuns: [T, T + 86_400_000, T + 2 * 86_400_000], running: false },
    ],
    runs: [{ id: 'run1', schedule: 'sch1', session: 's9', dueAt: T - 86_400_000, startedAt: T - 86_400_000, endedAt: T - 86_400_000 + 95_000, status: 'done', result: 'The build is green: 412 tests passed.', approvals: 2 }],
    loops: [{ id: 'loop-ab', session: 's1', prompt: 'is the deploy done?', intervalMs: 300_000, nextAt: T, expiresAt: T + 6 * 86_400_000, count: 3, skipped: 1 }],
  },
};

describe('web UI Schedules screen (Chromium, phone viewport)', () => {
  const suite = panelSuite();
  let panel: Panel | undefined;

  it('offers no Schedules button to a host without the feature (v1, or features from before schedules)', async () => {
    for (const features of [undefined, ['author']]) {
      panel = await suite.open();
      await panel.post({ ...hello([session()]), ...(features ? { features } : {}) });
      await panel.page.getByTestId('session-select').waitFor();
      assert.equal(await panel.page.getByTestId('schedules-open').count(), 0);
      assert.deepEqual(await panel.device('schedules'), []);
      await panel.close();
      panel = undefined;
    }
  });

  it('lists schedules, runs and loops, and sends run-now, cancel and a new schedule', async () => {
    panel = await suite.open();
    const { page } = panel;
    await panel.post({ ...hello([session({ status: 'idle' })]), features: ['author', 'schedules'] });
    await page.getByTestId('schedules-open').click();
    await eventually(async () => (await panel!.device('schedules')).length === 1);
    await panel.post(listing);
    const card = page.getByTestId('schedule');
    await card.waitFor();
    assert.match(await card.innerText(), /Check the nightly build/);
    assert.match(await card.innerText(), /weekdays at 08:00 \(Europe\/Paris\)/);
    assert.equal((await page.getByTestId('next-runs').innerText()).split('·').length, 3);
    const run = await page.getByTestId('run').innerText();
    assert.match(run, /done/);
    assert.match(run, /1 min 35 s/);
    assert.match(run, /2 approvals/);
    assert.equal(await page.getByTestId('run-result').innerText(), 'The build is green: 412 tests passed.');
    assert.match(await page.getByTestId('loop').innerText(), /every 5 min · sent 3× · skipped 1/);
    await screenshot(page, 'schedules');

    await card.getByRole('button', { name: 'Run now' }).click();
    await card.getByTestId('schedule-toggle').click();
    const [toggle] = await panel.device('scheduleSave');
    assert.equal(toggle!.force, true);
    assert.deepEqual(toggle!.schedule, { id: 'sch1', dir: '/home/dev/project', prompt: 'Check the nightly build', cadence: { kind: 'weekdays', time: '08:00' }, timeZone: 'Europe/Paris', missed: 'catch-up-once', enabled: false });
    await page.getByTestId('loop').getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('sched-prompt').fill('Summarise yesterday’s commits');
    await page.getByTestId('sched-cadence').fill('0 9 * * 1');
    await page.getByTestId('sched-save').click();
    assert.deepEqual(await panel.device('scheduleRunNow'), [{ type: 'scheduleRunNow', id: 'sch1' }]);
    assert.deepEqual(await panel.device('loopCancel'), [{ type: 'loopCancel', id: 'loop-ab' }]);
    const [, save] = await panel.device('scheduleSave');
    assert.equal(typeof save!.ref, 'string');
    assert.deepEqual({ ...(save!.schedule as object), timeZone: 'tz' }, { dir: '/home/dev/project', prompt: 'Summarise yesterday’s commits', cadence: { kind: 'cron', expr: '0 9 * * 1' }, timeZone: 'tz', enabled: true, missed: 'catch-up-once' });
    // The host's answer to a bad one is shown.
    await panel.post({ type: 'error', code: 'HOST_ERR_SCHEDULE_INVALID', message: '"0 9 * * 9" is not a valid cron expression', ref: save!.ref });
    await eventually(async () => /not a valid cron expression/.test(await page.getByTestId('notice').innerText().catch(() => '')));
    // Edit: the form takes the schedule (its times as cron), and Save sends it back under its id with its
    // zone, switch and policy kept.
    await card.getByTestId('schedule-edit').click();
    assert.equal(await page.getByTestId('sched-prompt').inputValue(), 'Check the nightly build');
    assert.equal(await page.getByTestId('sched-cadence').inputValue(), '0 8 * * 1-5');
    await page.getByTestId('sched-prompt').fill('Check the nightly build and the flaky tests');
    await page.getByTestId('sched-cadence').fill('weekdays 07:30');
    await page.getByTestId('sched-save').click();
    const [, , edit] = await panel.device('scheduleSave');
    assert.deepEqual(edit!.schedule, { id: 'sch1', dir: '/home/dev/project', prompt: 'Check the nightly build and the flaky tests', cadence: { kind: 'weekdays', time: '07:30' }, timeZone: 'Europe/Paris', missed: 'catch-up-once', enabled: true });
    await page.getByTestId('schedules-close').click();
    await page.getByTestId('session-select').waitFor();
    assert.deepEqual(panel.errors, []);
  });
});
