// Killing the process that works a job (SIGKILL, mid-chunk, requests in flight) and starting a fresh
// runner on the same SQLite file finishes the job without stopping any card twice.
import { startJob } from '../../cloudfunctions/shared/services/jobs';
import type { SqliteStore } from '../../cloudfunctions/shared/store/sqlite';
import { DEV_MANAGER } from '../../dev/seed';
import { NETWORK_TARGET } from '../../typings/card-status';
import { cardsIn, itemsOf, jobDoc, networkCounts, runUntilDone, sleep, waitForStatus } from '../helpers/jobs';
import { killAll, runTsx, type Run } from '../helpers/process';
import { startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(120_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ emulator: { cards: 400, settings: { networkDelayMs: 50 } } });
});
afterAll(async () => {
  killAll();
  await stack.stop();
});

async function until(run: Run, what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (run.child.exitCode !== null) throw new Error(`runner exited early: ${JSON.stringify(run.output())}`);
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(run.output())}`);
}

test('a runner process killed mid-job is followed by a fresh one that finishes without repeating a card', async () => {
  const targets = cardsIn(stack, 'active', 300);
  await stack.sim('POST', '/faults', { latencyMs: 40, pathPattern: '/network$' });
  const job = await startJob(
    stack.deps,
    { openid: DEV_MANAGER, member: null },
    {
      kind: 'stop',
      iccids: targets,
      reason: '测试进程被杀',
    },
  );
  const count = (outcome: string) => stack.deps.store.count('jobItems', { jobId: job._id, outcome });

  const run = runTsx('test/helpers/job-runner.ts', {
    JOB_SQLITE_PATH: (stack.deps.store as SqliteStore).path,
    JOB_PLATFORM_URL: stack.emulator.url,
  });
  await until(run, 'the runner to be mid-job', async () => (await count('ok')) >= 40 && (await count('sending')) > 0);
  process.kill(-(run.child.pid as number), 'SIGKILL');
  expect((await run.exited).signal).toBe('SIGKILL');

  const left = await itemsOf(stack.deps, job._id);
  expect(left.filter((i) => i.outcome === 'ok').length).toBeGreaterThanOrEqual(40);
  expect(left.filter((i) => i.outcome === 'pending').length).toBeGreaterThan(0);
  // Killed mid-chunk: cards marked as being sent, whose requests may or may not have reached the platform.
  expect(left.filter((i) => i.outcome === 'sending').length).toBeGreaterThan(0);
  for (let i = 0; i < 500 && (await jobDoc(stack.deps, job._id)).leaseUntil > Date.now(); i++) await sleep(10);

  await stack.sim('POST', '/faults', {});
  await runUntilDone(stack.deps, job._id);
  expect(await jobDoc(stack.deps, job._id)).toEqual(
    expect.objectContaining({ state: 'done', done: 300, succeeded: 300, failed: 0 }),
  );
  const counts = await networkCounts(stack);
  for (const iccid of targets) expect([iccid, counts[iccid]]).toEqual([iccid, { stop: 1, resume: 0 }]);
  expect(Object.keys(counts).sort()).toEqual([...targets].sort());
  const cards = await waitForStatus(stack.deps, targets, (c) => c.status === NETWORK_TARGET[c.carrier].stop);
  for (const iccid of targets) expect(cards.get(iccid)?.status).toBe(NETWORK_TARGET[cards.get(iccid)!.carrier].stop);
});
