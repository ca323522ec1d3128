// Every platform token revoked (/__sim/tokens/expire) in the middle of a batch job that two function instances
// work at once, with stop requests in flight: the job finishes, each card is stopped exactly once, and
// exactly one new token is issued for both instances. The token holder alone under revocation (500 calls over
// four instances): token-holder.test.ts.
import { buildDeps } from '../../cloudfunctions/shared/deps';
import type { Deps } from '../../cloudfunctions/shared/runtime/handler';
import { workJobs } from '../../cloudfunctions/shared/services/job-runner';
import { startJob, type JobDoc } from '../../cloudfunctions/shared/services/jobs';
import { SqliteStore } from '../../cloudfunctions/shared/store/sqlite';
import { DEV_MANAGER } from '../../dev/seed';
import { NETWORK_TARGET } from '../../typings/card-status';
import { ok } from '../helpers/admin';
import { cardsIn, jobDoc, networkCounts, sleep, waitForStatus } from '../helpers/jobs';
import { startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(120_000);

const CARDS = 200;
let stack: TestStack;
let second: SqliteStore;

beforeAll(async () => {
  stack = await startTestStack({
    emulator: { cards: 400, settings: { networkDelayMs: 50 } },
    // Two instances at 40 calls a second stay under the platform's 100: no 429 muddles the count.
    env: { PLATFORM_RATE_LIMIT_PER_SEC: '40' },
  });
  second = new SqliteStore((stack.deps.store as SqliteStore).path);
});
afterAll(async () => {
  await second.close();
  await stack.stop();
});

const countItems = (jobId: string, outcome: string) => stack.deps.store.count('jobItems', { jobId, outcome });

/** Works jobs one short tick after another until this one is done (a bounded number of ticks). */
async function runner(deps: Deps, jobId: string): Promise<void> {
  for (let tick = 0; tick < 300 && (await jobDoc(stack.deps, jobId)).state !== 'done'; tick++) {
    const started = Date.now();
    const report = await workJobs(deps, { left: () => 700 - (Date.now() - started) }, { leaseSlackMs: 300 });
    if (report.jobs === 0) await sleep(20);
  }
}

test('the token revoked mid-job: the job finishes, each card stopped once, one new token for every instance', async () => {
  const targets = cardsIn(stack, 'active', CARDS);
  // Each stop stays at the platform a moment, so requests are in flight when the token dies.
  await stack.sim('POST', '/faults', { latencyMs: 20, pathPattern: '/network$' });
  const job: JobDoc = await startJob(
    stack.deps,
    { openid: DEV_MANAGER, member: null },
    { kind: 'stop', iccids: targets, reason: '令牌中途失效测试' },
  );
  // Both instances hold the current token before the job starts.
  const other = buildDeps(stack.config, second);
  await Promise.all([stack.deps.platform.tokens.get(), other.platform.tokens.get()]);
  const before = await stack.sim('GET', '/stats');

  const working = Promise.all([runner(stack.deps, job._id), runner(other, job._id)]);
  for (
    let i = 0;
    i < 1000 && !((await countItems(job._id, 'ok')) >= 40 && (await countItems(job._id, 'sending')) > 0);
    i++
  ) {
    await sleep(5);
  }
  const revoked = await stack.sim('POST', '/tokens/expire');
  const doneWhenRevoked = await countItems(job._id, 'ok');
  await working;

  expect(revoked.expired).toBeGreaterThanOrEqual(1);
  expect(doneWhenRevoked).toBeGreaterThanOrEqual(40);
  expect(doneWhenRevoked).toBeLessThan(CARDS);
  const after = await stack.sim('GET', '/stats');
  expect(after.tokenIssued - before.tokenIssued).toBe(1);
  expect(after.rejected.unauthorized - before.rejected.unauthorized).toBeGreaterThan(0);
  expect(after.rejected.rateLimited - before.rejected.rateLimited).toBe(0);

  const detail = await ok(stack, 'admin', DEV_MANAGER, { action: 'job', jobId: job._id });
  expect(detail).toEqual(
    expect.objectContaining({ state: 'done', total: CARDS, done: CARDS, succeeded: CARDS, failed: 0, problems: [] }),
  );
  const counts = await networkCounts(stack);
  for (const iccid of targets) expect([iccid, counts[iccid]]).toEqual([iccid, { stop: 1, resume: 0 }]);
  expect(Object.keys(counts).sort()).toEqual([...targets].sort());
  const cards = await waitForStatus(stack.deps, targets, (c) => c.status === NETWORK_TARGET[c.carrier].stop);
  expect(targets.filter((i) => cards.get(i)?.status !== NETWORK_TARGET[cards.get(i)!.carrier].stop)).toEqual([]);
  // And the new token serves both instances from here on, without another fetch.
  await Promise.all([stack.deps.platform.call('flowcard.types'), other.platform.call('flowcard.types')]);
  expect((await stack.sim('GET', '/stats')).tokenIssued - before.tokenIssued).toBe(1);
});
