// The whole functions host — HTTP server, function handlers, cron timer — in a process of its own, killed with
// SIGKILL in the middle of a batch job (the manager's progress reads and the timer both working it, stop
// requests in flight) and started again on the same SQLite file: the job finishes, was started once and
// finished once, and every card was stopped exactly once. The platform emulator runs in the test, so what it
// counted survives the crash. The job runner alone killed mid-chunk: jobs-crash.test.ts.
import type { SqliteStore } from '../../cloudfunctions/shared/store/sqlite';
import { NETWORK_TARGET } from '../../typings/card-status';
import { post } from '../helpers/bad-input';
import { MANAGER } from '../helpers/cards';
import { cardsIn, jobDoc, networkCounts, sleep, waitForStatus } from '../helpers/jobs';
import { freePort, killAll, runTsx, waitForLine, type Run } from '../helpers/process';
import { startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(120_000);

const CARDS = 300;
let stack: TestStack;
let env: Record<string, string>;
let host: string;

beforeAll(async () => {
  // The emulator, and a SQLite file with the seeded fleet; this stack's own host is not used.
  stack = await startTestStack({ emulator: { cards: 400, settings: { networkDelayMs: 50 } } });
  const port = await freePort();
  host = `http://127.0.0.1:${port}`;
  env = {
    HOST_SQLITE_PATH: (stack.deps.store as SqliteStore).path,
    HOST_PLATFORM_URL: stack.emulator.url,
    PORT: String(port),
    CRON_INTERVAL_MS: '250',
    // A short call deadline keeps a dead worker's lease short (two deadlines and a second past its budget).
    PLATFORM_TIMEOUT_MS: '800',
    PLATFORM_DEADLINE_MS: '1000',
  };
});
afterAll(async () => {
  killAll();
  await stack.stop();
});

async function startHostProcess(): Promise<Run> {
  const run = runTsx('test/helpers/host-process.ts', env);
  await waitForLine(run, /^host http/);
  return run;
}

async function admin(body: Record<string, unknown>): Promise<any> {
  const answer = await post(`${host}/fn/admin`, JSON.stringify(body), { 'x-openid': MANAGER }, `admin.${body.action}`);
  if (answer.status !== 200 || !answer.body.ok) throw new Error(`admin.${body.action}: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

const countItems = (jobId: string, outcome: string) => stack.deps.store.count('jobItems', { jobId, outcome });

test('the host killed mid-job and restarted on the same SQLite file finishes the job, each card stopped once', async () => {
  const targets = cardsIn(stack, 'active', CARDS);
  // Each stop stays at the platform a moment, so requests are in flight when the host dies.
  await stack.sim('POST', '/faults', { latencyMs: 40, pathPattern: '/network$' });
  const first = await startHostProcess();

  const job = await admin({ action: 'startJob', kind: 'stop', iccids: targets, reason: '主机崩溃测试' });
  expect(job).toEqual(expect.objectContaining({ kind: 'stop', total: CARDS }));
  expect(job.done).toBeLessThan(CARDS);

  // The manager watches the job (each read works it a while); the host dies mid-way, reads in flight.
  let reading = true;
  const reads = (async () => {
    while (reading) await admin({ action: 'job', jobId: job.id }).catch(() => sleep(20));
  })();
  for (let i = 0; i < 2000; i++) {
    if (first.child.exitCode !== null) throw new Error(`host exited early: ${JSON.stringify(first.output())}`);
    if ((await countItems(job.id, 'ok')) >= 120 && (await countItems(job.id, 'sending')) > 0) break;
    await sleep(5);
  }
  process.kill(-(first.child.pid as number), 'SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  reading = false;
  await reads;

  const left = await jobDoc(stack.deps, job.id);
  expect(left.state).toBe('running');
  expect(left.leaseOwner).not.toBeNull();
  const ok = await countItems(job.id, 'ok');
  expect(ok).toBeGreaterThanOrEqual(120);
  expect(ok).toBeLessThan(CARDS);
  // Cards marked as being sent: their requests may or may not have reached the platform.
  expect(await countItems(job.id, 'sending')).toBeGreaterThan(0);
  await expect(fetch(`${host}/healthz`)).rejects.toThrow();

  // Back up on the same file and port: the manager's reads and the timer finish the job once the dead
  // worker's lease has run out.
  await stack.sim('POST', '/faults', {});
  const second = await startHostProcess();
  let detail = await admin({ action: 'job', jobId: job.id });
  for (let i = 0; i < 300 && detail.state !== 'done'; i++) {
    await sleep(100);
    detail = await admin({ action: 'job', jobId: job.id });
  }
  expect(detail).toEqual(
    expect.objectContaining({ state: 'done', total: CARDS, done: CARDS, succeeded: CARDS, failed: 0, problems: [] }),
  );
  expect(second.child.exitCode).toBeNull();

  // Started once, finished once, each card stopped once and no other card touched.
  expect(await stack.deps.store.count('jobs')).toBe(1);
  expect(await stack.deps.store.count('audit', { action: 'job.start', target: job.id })).toBe(1);
  expect(await stack.deps.store.count('audit', { action: 'job.finish', target: job.id })).toBe(1);
  const counts = await networkCounts(stack);
  for (const iccid of targets) expect([iccid, counts[iccid]]).toEqual([iccid, { stop: 1, resume: 0 }]);
  expect(Object.keys(counts).sort()).toEqual([...targets].sort());
  const cards = await waitForStatus(stack.deps, targets, (c) => c.status === NETWORK_TARGET[c.carrier].stop);
  expect(targets.filter((i) => cards.get(i)?.status !== NETWORK_TARGET[cards.get(i)!.carrier].stop)).toEqual([]);
  expect(second.output().stderr).toBe('');
});
