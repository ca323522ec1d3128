// The card sync: pages through the platform into the card index within a budget, resumes across ticks,
// drops cards transferred away, and takes each card's usage snapshot once a day.
import { runCron } from '../../cloudfunctions/shared/functions/cron';
import type { PendingDoc } from '../../cloudfunctions/shared/services/cards';
import { shanghaiDate, type UsageDoc } from '../../cloudfunctions/shared/services/card-usage';
import { syncCards, syncCardsTask } from '../../cloudfunctions/shared/services/card-sync';
import { MANAGER, emulatorCards, indexDoc, opCount } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const unlimited = { left: () => Number.POSITIVE_INFINITY };
/** A budget so small that each call works exactly one step. */
const tiny = { left: () => 0 };

async function indexedIccids(): Promise<string[]> {
  const docs = await stack.deps.store.find('cards', {}, { take: 1000 });
  return docs.map((d) => d._id).sort();
}

async function todaysSnapshots(): Promise<UsageDoc[]> {
  return stack.deps.store.find<UsageDoc>('usage', { date: shanghaiDate(Date.now()) }, { take: 1000 });
}

test('the dev stack starts with every card indexed and snapshotted today', async () => {
  const iccids = emulatorCards(stack)
    .map((c) => c.iccid)
    .sort();
  expect(await indexedIccids()).toEqual(iccids);
  expect((await todaysSnapshots()).map((d) => d.iccid).sort()).toEqual(iccids);
  expect(await stack.deps.store.get('meta', 'cardSync')).toBeNull();
});

test('cards transferred away disappear from the index after a full pass; shifted pages lose nothing', async () => {
  const [a, b] = emulatorCards(stack).slice(0, 2);
  await stack.deps.store.put<PendingDoc>('pending', {
    _id: a.iccid,
    iccid: a.iccid,
    op: 'stop',
    requestId: 'NW1',
    requestedAt: Date.now(),
    by: MANAGER,
  });
  await stack.deps.platform.call('flowcard.transfer', {
    body: { consignee: 'partner-001', iccids: [a.iccid, b.iccid] },
  });
  expect(await indexDoc(stack, a.iccid)).not.toBeNull();
  const report = await syncCards(stack.deps, unlimited);
  expect(report).toEqual(expect.objectContaining({ completed: true, removed: 2 }));
  expect(await indexDoc(stack, a.iccid)).toBeNull();
  expect(await indexDoc(stack, b.iccid)).toBeNull();
  expect(await stack.deps.store.get('pending', a.iccid)).toBeNull();
  expect(await indexedIccids()).toEqual(
    emulatorCards(stack)
      .map((c) => c.iccid)
      .sort(),
  );
  const summary = await stack.fn('cards', MANAGER, { action: 'summary' });
  expect(summary.data.total).toBe(198);
});

test('a pass over several ticks with a tiny budget completes, and snapshots each card once a day', async () => {
  await stack.sim('POST', '/reset', { cards: 250 });
  for (const doc of await todaysSnapshots()) await stack.deps.store.remove('usage', doc._id);
  const reports = [];
  for (let tick = 0; tick < 10; tick++) {
    const report = await syncCards(stack.deps, tiny);
    reports.push(report);
    if (report.completed) break;
    expect(await stack.deps.store.get('meta', 'cardSync')).not.toBeNull();
  }
  expect(reports.at(-1)?.completed).toBe(true);
  expect(reports.length).toBeGreaterThanOrEqual(4); // three pages, then the check of what was not seen
  expect(await stack.deps.store.get('meta', 'cardSync')).toBeNull();
  const fleet = emulatorCards(stack);
  expect(await indexedIccids()).toEqual(fleet.map((c) => c.iccid).sort());
  expect(reports.reduce((n, r) => n + r.snapshots, 0)).toBe(250);
  expect(await todaysSnapshots()).toHaveLength(250);

  // Usage moves on during the day; a second pass the same day keeps the first snapshot.
  const first = { iccid: fleet[0].iccid, usedMB: fleet[0].usedMB };
  await stack.sim('POST', '/cards', { iccid: first.iccid, usedMB: first.usedMB + 50 });
  const again = await syncCards(stack.deps, unlimited);
  expect(again).toEqual(expect.objectContaining({ completed: true, snapshots: 0 }));
  const snapshots = await todaysSnapshots();
  expect(snapshots).toHaveLength(250);
  expect(snapshots.find((d) => d.iccid === first.iccid)?.usedMB).toBe(first.usedMB);
  expect((await indexDoc(stack, first.iccid))?.usedMB).toBe(first.usedMB + 50);
});

test('a platform failure mid-pass leaves the cursor where it was; the next tick carries on', async () => {
  await syncCards(stack.deps, tiny);
  expect(await stack.deps.store.get('meta', 'cardSync')).toEqual(expect.objectContaining({ phase: 'list', skip: 100 }));
  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 503, pathPattern: '^/cardservice/flowcards$' });
  try {
    await expect(syncCards(stack.deps, tiny)).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE' });
  } finally {
    await stack.sim('POST', '/faults', {});
  }
  expect(await stack.deps.store.get('meta', 'cardSync')).toEqual(expect.objectContaining({ skip: 100 }));
  expect((await syncCards(stack.deps, unlimited)).completed).toBe(true);
});

test('the timer starts a new pass only after the interval, and reports through runCron', async () => {
  const before = await opCount(stack, 'flowcard.list');
  const report = await runCron(stack.deps, { only: ['syncCards'] });
  expect(report.syncCards).toEqual({ ok: true, result: expect.objectContaining({ skipped: true }) });
  expect(await opCount(stack, 'flowcard.list')).toBe(before);
  await stack.deps.store.remove('meta', 'cardsSyncedAt');
  const ran = await syncCardsTask.run(stack.deps, unlimited);
  expect(ran).toEqual(expect.objectContaining({ completed: true }));
  expect(await opCount(stack, 'flowcard.list')).toBe(before + 3);
  expect(await stack.deps.store.get('meta', 'cardsSyncedAt')).not.toBeNull();
});
