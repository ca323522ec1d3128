// A stop job never stops a card twice: not under injected 500s and a 429 storm, not when a worker dies
// mid-chunk and another instance finishes, not when two runners share the store. Counted in the emulator.
import { buildDeps } from '../../cloudfunctions/shared/deps';
import type { Deps } from '../../cloudfunctions/shared/runtime/handler';
import { newItem, workJobs } from '../../cloudfunctions/shared/services/job-runner';
import { startJob, type JobDoc } from '../../cloudfunctions/shared/services/jobs';
import { SqliteStore } from '../../cloudfunctions/shared/store/sqlite';
import { DEV_MANAGER } from '../../dev/seed';
import { NETWORK_TARGET } from '../../typings/card-status';
import { ok } from '../helpers/admin';
import { cardsIn, itemsOf, jobDoc, networkCounts, runUntilDone, sleep, waitForStatus } from '../helpers/jobs';
import { startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(180_000);

const CARDS = 1100;
let stack: TestStack;
const extraStores: SqliteStore[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    emulator: { cards: CARDS, settings: { networkDelayMs: 50, rateLimitPerSec: 200 } },
    env: { PLATFORM_RATE_LIMIT_PER_SEC: '150' },
  });
});
beforeEach(async () => {
  // The same deterministic fleet, every card back to its seeded state and every counter at zero.
  await stack.sim('POST', '/reset', { cards: CARDS });
});
afterAll(async () => {
  for (const store of extraStores) await store.close();
  await stack.stop();
});

/** Another function instance: its own connection to the same SQLite file, the same platform. */
function anotherInstance(): { deps: Deps; store: SqliteStore } {
  const store = new SqliteStore((stack.deps.store as SqliteStore).path);
  extraStores.push(store);
  return { deps: buildDeps(stack.config, store), store };
}

const manager = { openid: DEV_MANAGER, member: null };

/** Every target stopped exactly once, no other card touched, and the platform shows each one stopped. */
async function expectStoppedOnce(targets: string[]) {
  const counts = await networkCounts(stack);
  const wanted = new Set(targets);
  for (const iccid of targets) expect([iccid, counts[iccid]]).toEqual([iccid, { stop: 1, resume: 0 }]);
  const others = Object.entries(counts).filter(([iccid, c]) => !wanted.has(iccid) && c.stop + c.resume > 0);
  expect(others).toEqual([]);
  const cards = await waitForStatus(stack.deps, targets, (c) => c.status === NETWORK_TARGET[c.carrier].stop);
  for (const iccid of targets) {
    const card = cards.get(iccid);
    expect([iccid, card?.status]).toEqual([iccid, card && NETWORK_TARGET[card.carrier].stop]);
  }
}

async function until(what: string, check: () => Promise<boolean>, rounds = 400): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const countItems = (deps: Deps, jobId: string, outcome: string) => deps.store.count('jobItems', { jobId, outcome });

test("a manager's stop job over 1,000 cards, through 5% injected 500s and a 429 storm, stops each card exactly once", async () => {
  const targets = cardsIn(stack, 'active', 1000);
  await stack.sim('POST', '/faults', { errorRate: 0.05, errorStatus: 500 });
  const job = await ok(stack, 'admin', DEV_MANAGER, {
    action: 'startJob',
    kind: 'stop',
    iccids: targets,
    reason: '车队停运检修',
  });
  expect(job).toEqual(expect.objectContaining({ kind: 'stop', total: 1000, state: expect.any(String) }));

  // Progress is read all along, between ticks and while they run, and never goes back.
  const progress: number[] = [job.done];
  let reading = true;
  const reader = (async () => {
    while (reading) {
      progress.push((await ok(stack, 'admin', DEV_MANAGER, { action: 'job', jobId: job.id })).done);
      await sleep(50);
    }
  })();
  let storm: 'before' | 'on' | 'over' = 'before';
  await runUntilDone(stack.deps, job.id, {
    between: async () => {
      const detail = await ok(stack, 'admin', DEV_MANAGER, { action: 'job', jobId: job.id });
      progress.push(detail.done);
      if (storm === 'before' && detail.done >= 300) {
        storm = 'on';
        await stack.sim('POST', '/faults', { errorRate: 0.05, errorStatus: 500, rateLimitPerSec: 5 });
      } else if (storm === 'on' && (await stack.sim('GET', '/stats')).rejected.rateLimited > 0) {
        // Over once the storm has been met (a tick whose cards all wait for a retry sends nothing).
        storm = 'over';
        await stack.sim('POST', '/faults', { errorRate: 0.05, errorStatus: 500 });
      }
    },
  });
  reading = false;
  await reader;
  await stack.sim('POST', '/faults', {});

  const stats = await stack.sim('GET', '/stats');
  expect(storm).toBe('over');
  expect(stats.rejected.injected).toBeGreaterThan(0);
  expect(stats.rejected.rateLimited).toBeGreaterThan(0);
  expect(progress.length).toBeGreaterThan(3);
  for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
  expect(progress.at(-1)).toBe(1000);

  const detail = await ok(stack, 'admin', DEV_MANAGER, { action: 'job', jobId: job.id });
  expect(detail).toEqual(
    expect.objectContaining({ state: 'done', total: 1000, done: 1000, succeeded: 1000, failed: 0, problems: [] }),
  );
  await expectStoppedOnce(targets);
});

test('a worker that dies mid-chunk is followed by another instance that finishes without repeating a card', async () => {
  const targets = cardsIn(stack, 'active', 300);
  // Each stop takes a while at the platform, so the worker dies with requests in flight.
  await stack.sim('POST', '/faults', { latencyMs: 40, pathPattern: '/network$' });
  const job = await startJob(stack.deps, manager, { kind: 'stop', iccids: targets, reason: '测试进程崩溃' });

  const doomed = anotherInstance();
  const started = Date.now();
  const working = workJobs(doomed.deps, { left: () => 3000 - (Date.now() - started) }, { leaseSlackMs: 0 }).then(
    () => 'finished',
    () => 'died',
  );
  await until(
    'the worker to be mid-job',
    async () =>
      (await countItems(stack.deps, job._id, 'ok')) >= 40 && (await countItems(stack.deps, job._id, 'sending')) > 0,
  );
  // It dies: from here on none of its writes lands; what it already asked the platform still happens.
  await doomed.store.close();
  expect(await working).toBe('died');
  const inFlight = (await itemsOf(stack.deps, job._id)).filter((i) => i.outcome === 'sending').map((i) => i.iccid);
  expect(inFlight.length).toBeGreaterThan(0);
  expect((await jobDoc(stack.deps, job._id)).leaseOwner).not.toBeNull();

  await until('its lease to run out', async () => (await jobDoc(stack.deps, job._id)).leaseUntil <= Date.now());
  const counts = await networkCounts(stack);
  const taken = inFlight.filter((iccid) => counts[iccid]?.stop === 1);
  expect(taken.length).toBeGreaterThan(0);

  await stack.sim('POST', '/faults', {});
  const successor = anotherInstance();
  await runUntilDone(successor.deps, job._id);
  const done = await jobDoc(stack.deps, job._id);
  expect(done).toEqual(expect.objectContaining({ state: 'done', done: 300, succeeded: 300, failed: 0 }));
  await expectStoppedOnce(targets);
});

test('a job whose items were half written when its writer died gets the rest written, once each', async () => {
  const targets = cardsIn(stack, 'active', 120);
  const job = await startJob(stack.deps, manager, { kind: 'stop', iccids: targets, reason: '测试写入中断' });
  // The writer got through 70 items and died before saving how far it got.
  for (const [seq, iccid] of targets.entries()) {
    if (seq >= 70) break;
    await stack.deps.store.insert('jobItems', newItem(job._id, iccid, seq));
  }
  await runUntilDone(stack.deps, job._id);
  const items = await itemsOf(stack.deps, job._id);
  expect(items.map((i) => i.iccid)).toEqual(targets);
  expect(items.map((i) => i.seq)).toEqual(targets.map((_, seq) => seq));
  const done = await jobDoc(stack.deps, job._id);
  expect(done).toEqual(expect.objectContaining({ itemsWritten: true, iccids: null, succeeded: 120 }));
  await expectStoppedOnce(targets);
});

test('two runners sharing the store never work one job at once, and no card is stopped twice', async () => {
  const targets = cardsIn(stack, 'active', 400);
  const jobs = [
    await startJob(stack.deps, manager, { kind: 'stop', iccids: targets.slice(0, 200), reason: '并发测试一' }),
    await startJob(stack.deps, manager, { kind: 'stop', iccids: targets.slice(200), reason: '并发测试二' }),
  ];
  const other = anotherInstance();

  // The same job, claimed by both at the same moment: one gets it.
  const tick = () => {
    const started = Date.now();
    return { left: () => 600 - (Date.now() - started) };
  };
  const race = await Promise.all([
    workJobs(stack.deps, tick(), { jobId: jobs[0]._id }),
    workJobs(other.deps, tick(), { jobId: jobs[0]._id }),
  ]);
  expect(race.map((r) => r.jobs).sort()).toEqual([0, 1]);

  const allDone = async () =>
    (await Promise.all(jobs.map((j) => jobDoc(stack.deps, j._id)))).every((j: JobDoc) => j.state === 'done');
  const loop = async (deps: Deps) => {
    for (let round = 0; round < 200 && !(await allDone()); round++) {
      const started = Date.now();
      const report = await workJobs(deps, { left: () => 800 - (Date.now() - started) });
      if (report.jobs === 0) await sleep(20);
    }
  };
  await Promise.all([loop(stack.deps), loop(other.deps)]);
  expect(await allDone()).toBe(true);
  for (const job of jobs) expect((await jobDoc(stack.deps, job._id)).succeeded).toBe(200);
  await expectStoppedOnce(targets);
});
