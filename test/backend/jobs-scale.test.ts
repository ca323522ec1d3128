// A job of 10,000 cards, the most startJob takes: every item written once and in order, on SQLite through
// the host (worked to the end) and on the CloudBase store (its in-memory stand-in), there after a writer
// died half-way.
import { CloudbaseStore, CLOUDBASE_COLLECTIONS } from '../../cloudfunctions/shared/store/cloudbase';
import type { Deps } from '../../cloudfunctions/shared/runtime/handler';
import { newItem, workJobs } from '../../cloudfunctions/shared/services/job-runner';
import { startJob, type JobItemDoc } from '../../cloudfunctions/shared/services/jobs';
import { DEV_MANAGER } from '../../dev/seed';
import { ok } from '../helpers/admin';
import { itemsOf, jobDoc, networkCounts, platformCards, runUntilDone } from '../helpers/jobs';
import { startTestStack, type TestStack } from '../helpers/stack';
import { MemoryCloudDatabase } from '../store/memory-cloudbase';

jest.setTimeout(120_000);

const CARDS = 10_000;
let stack: TestStack;
let iccids: string[];
beforeAll(async () => {
  stack = await startTestStack({ emulator: { settings: { rateLimitPerSec: 1000 } } });
  // The big fleet only now: the stack's start-up sync of the card index need not read 10,000 cards.
  await stack.sim('POST', '/reset', { cards: CARDS });
  await stack.deps.platform.tokens.forceRefresh(); // the reset revoked every token
  iccids = [...stack.emulator.platform.cards.keys()];
});
afterAll(async () => stack.stop());

const batchUpdates = async (): Promise<number> =>
  (await stack.sim('GET', '/stats')).operations['flowcard.batchUpdate'] ?? 0;

function expectInOrder(items: JobItemDoc[]) {
  expect(items).toHaveLength(CARDS);
  expect(items.filter((item, seq) => item.seq !== seq || item.iccid !== iccids[seq])).toEqual([]);
}

test('on SQLite, through the host: a tag job over 10,000 cards, with ten batch updates', async () => {
  const before = await batchUpdates();
  const job = await ok(stack, 'admin', DEV_MANAGER, { action: 'startJob', kind: 'tag', iccids, tags: ['万卡'] });
  expect(job.total).toBe(CARDS);
  await runUntilDone(stack.deps, job.id);
  const items = await itemsOf(stack.deps, job.id);
  expectInOrder(items);
  expect(items.filter((item) => item.outcome !== 'ok')).toEqual([]);
  expect(await jobDoc(stack.deps, job.id)).toEqual(
    expect.objectContaining({ state: 'done', total: CARDS, succeeded: CARDS, itemsWritten: true, iccids: null }),
  );
  expect(await batchUpdates()).toBe(before + CARDS / 1000);
  const cards = await platformCards(stack.deps);
  expect(iccids.filter((iccid) => cards.get(iccid)?.tags[0] !== '万卡')).toEqual([]);
});

test('on CloudBase: a stop job over 10,000 cards whose first writer died after 3,000 items', async () => {
  const cloud: Deps = { ...stack.deps, store: new CloudbaseStore(new MemoryCloudDatabase(CLOUDBASE_COLLECTIONS)) };
  const job = await startJob(
    cloud,
    { openid: DEV_MANAGER, member: null },
    {
      kind: 'stop',
      iccids,
      reason: '云端万卡测试',
    },
  );
  for (const [seq, iccid] of iccids.slice(0, 3000).entries()) {
    await cloud.store.insert('jobItems', newItem(job._id, iccid, seq));
  }
  const roomy = { left: () => 60_000 };
  expect(await workJobs(cloud, roomy, { maxChunks: 0 })).toEqual({ jobs: 1, items: 0, finished: [] });
  expectInOrder(await itemsOf(cloud, job._id));
  expect(await jobDoc(cloud, job._id)).toEqual(
    expect.objectContaining({ state: 'running', itemsWritten: true, iccids: null, itemsCursor: CARDS, done: 0 }),
  );

  // And the cards are worked from there, the first ones first, each once.
  expect((await workJobs(cloud, roomy, { maxChunks: 2 })).items).toBe(40);
  const counts = await networkCounts(stack);
  const worked = (await itemsOf(cloud, job._id)).filter((item) => item.outcome !== 'pending');
  expect(worked.map((item) => item.seq)).toEqual([...Array(40).keys()]);
  for (const item of worked) expect(counts[item.iccid]?.stop ?? 0).toBe(item.outcome === 'ok' ? 1 : 0);
});
