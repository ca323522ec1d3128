// Batch jobs through the host: who may start and read them, what input is refused, a resume job over cards
// that cannot all be resumed, and tag jobs through the platform's batch update.
import { DEV_DRIVER, DEV_MANAGER, DEV_STAFF } from '../../dev/seed';
import { NETWORK_TARGET } from '../../typings/card-status';
import { docs, fails, ok } from '../helpers/admin';
import { cardsIn, itemsOf, networkCounts, platformCards, runUntilDone, waitForStatus } from '../helpers/jobs';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ emulator: { cards: 1600, settings: { networkDelayMs: 20, rateLimitPerSec: 500 } } });
});
afterAll(async () => stack.stop());

const start = (body: Record<string, unknown>) => ok(stack, 'admin', DEV_MANAGER, { action: 'startJob', ...body });
const operations = async (name: string): Promise<number> => (await stack.sim('GET', '/stats')).operations[name] ?? 0;

describe('who may', () => {
  test.each([
    ['a driver', DEV_DRIVER],
    ['field staff', DEV_STAFF],
    ['a stranger', 'o-stranger-jobs'],
  ])('%s is FORBIDDEN to start, read or list jobs, and nothing is stored', async (_who, openid) => {
    const jobsBefore = (await docs(stack, 'jobs')).length;
    const iccids = cardsIn(stack, 'active', 2);
    const calls = [
      { action: 'startJob', kind: 'stop', iccids, reason: '司机想停卡' },
      { action: 'job', jobId: 'job-any' },
      { action: 'jobs' },
    ];
    for (const body of calls) expect((await fails(stack, 'admin', openid, body)).code).toBe('FORBIDDEN');
    expect(await docs(stack, 'jobs')).toHaveLength(jobsBefore);
  });
});

describe('input', () => {
  const iccid = '89860000000000000001';
  test.each([
    ['no cards', { kind: 'stop', iccids: [], reason: '测试停机' }],
    ['10,001 cards', { kind: 'stop', iccids: Array.from({ length: 10_001 }, () => iccid), reason: '测试停机' }],
    ['a malformed ICCID', { kind: 'stop', iccids: [iccid, '12345'], reason: '测试停机' }],
    ['an ICCID of 100 kB', { kind: 'stop', iccids: ['89'.padEnd(100_000, '0')], reason: '测试停机' }],
    ['a stop without a reason', { kind: 'stop', iccids: [iccid] }],
    ['a resume with a one-letter reason', { kind: 'resume', iccids: [iccid], reason: '停' }],
    ['a reason of 101 characters', { kind: 'stop', iccids: [iccid], reason: '停'.repeat(101) }],
    ['a tag job without tags', { kind: 'tag', iccids: [iccid] }],
    ['eleven tags', { kind: 'tag', iccids: [iccid], tags: 'abcdefghijk'.split('') }],
    ['a tag of 21 characters', { kind: 'tag', iccids: [iccid], tags: ['标'.repeat(21)] }],
    ['an unknown kind', { kind: 'delete', iccids: [iccid], reason: '测试删除' }],
    ['an unknown field', { kind: 'stop', iccids: [iccid], reason: '测试停机', priority: 1 }],
  ])('%s is INVALID_ARGUMENT with a Chinese sentence, and nothing is stored', async (_what, body) => {
    const jobsBefore = (await docs(stack, 'jobs')).length;
    const error = await fails(stack, 'admin', DEV_MANAGER, { action: 'startJob', ...body });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(await docs(stack, 'jobs')).toHaveLength(jobsBefore);
  });

  test('the sentences say what to change', async () => {
    const refusal = async (body: Record<string, unknown>) =>
      (await fails(stack, 'admin', DEV_MANAGER, { action: 'startJob', ...body })).message;
    expect(await refusal({ kind: 'stop', iccids: [iccid] })).toMatch(/原因/);
    expect(await refusal({ kind: 'stop', iccids: [], reason: '测试停机' })).toMatch(/至少选择一张卡/);
    const tooMany = Array.from({ length: 10_001 }, () => iccid);
    expect(await refusal({ kind: 'tag', iccids: tooMany, tags: ['a'] })).toMatch(/最多 10000 张卡/);
  });

  test('an unknown job is NOT_FOUND', async () => {
    expect((await fails(stack, 'admin', DEV_MANAGER, { action: 'job', jobId: 'job-nope' })).code).toBe('NOT_FOUND');
  });
});

describe('a resume job', () => {
  test('resumes what can be resumed and skips the rest with what fixes each', async () => {
    const [resumable1, resumable2, arrears, realName, carrier, running] = cardsIn(stack, 'active', 300)
      .filter((i) => stack.emulator.platform.cards.get(i)?.carrier === 'ctcc')
      .slice(0, 6);
    const set = (iccid: string, patch: Record<string, unknown>) => stack.sim('POST', '/cards', { iccid, ...patch });
    await set(resumable1, { status: 120000 });
    await set(resumable2, { status: 2 });
    await set(arrears, { status: 5 });
    await set(realName, { status: 150001, realNameStatus: 0 });
    await set(carrier, { status: 7 });
    const targets = [resumable1, resumable2, arrears, realName, carrier, running];

    const job = await start({ kind: 'resume', iccids: [...targets, resumable1], reason: '欠费已处理，恢复使用' });
    expect(job).toEqual(expect.objectContaining({ kind: 'resume', total: 6, reason: '欠费已处理，恢复使用' }));
    await runUntilDone(stack.deps, job.id);

    const detail = await ok(stack, 'admin', DEV_MANAGER, { action: 'job', jobId: job.id });
    expect(detail).toEqual(expect.objectContaining({ state: 'done', total: 6, done: 6, succeeded: 2, failed: 0 }));
    expect(detail.finishedAt).toEqual(expect.any(String));
    const problems = Object.fromEntries(detail.problems.map((p: any) => [p.iccid, p]));
    expect(Object.keys(problems).sort()).toEqual([arrears, realName, carrier, running].sort());
    for (const p of detail.problems) expect(p.outcome).toBe('skipped');
    expect(problems[arrears].message).toMatch(/充值/);
    expect(problems[realName].message).toMatch(/实名认证/);
    expect(problems[carrier].message).toMatch(/运营商/);
    expect(problems[running].message).toMatch(/无需复机/);

    const counts = await networkCounts(stack);
    expect(counts[resumable1]).toEqual({ stop: 0, resume: 1 });
    expect(counts[resumable2]).toEqual({ stop: 0, resume: 1 });
    for (const iccid of [arrears, realName, carrier, running]) expect(counts[iccid]?.resume ?? 0).toBe(0);
    const cards = await waitForStatus(stack.deps, [resumable1, resumable2], (c) => c.status === 1);
    expect(cards.get(resumable1)?.status).toBe(NETWORK_TARGET.ctcc.resume);

    const audit = await docs(stack, 'audit', { target: job.id });
    expect(audit.map((a) => a.action).sort()).toEqual(['job.finish', 'job.start']);
    expect(audit.find((a) => a.action === 'job.finish')?.detail).toEqual(
      expect.objectContaining({ succeeded: 2, skipped: 4, failed: 0 }),
    );
  });
});

describe('a tag job', () => {
  test('over 1,500 cards sets the tags with two batch updates', async () => {
    const iccids = [...stack.emulator.platform.cards.keys()].slice(0, 1500);
    const before = await operations('flowcard.batchUpdate');
    const job = await start({ kind: 'tag', iccids, tags: ['冷链', '华南'] });
    await runUntilDone(stack.deps, job.id);
    expect(await operations('flowcard.batchUpdate')).toBe(before + 2);
    const detail = await ok(stack, 'admin', DEV_MANAGER, { action: 'job', jobId: job.id });
    expect(detail).toEqual(expect.objectContaining({ state: 'done', total: 1500, succeeded: 1500, problems: [] }));
    const cards = await platformCards(stack.deps);
    for (const iccid of iccids) expect(cards.get(iccid)?.tags).toEqual(['冷链', '华南']);
  });

  test('a card the platform does not know fails alone; the others are tagged one by one', async () => {
    const known = cardsIn(stack, 'active', 5);
    const unknown = '89860000000000000009';
    const job = await start({ kind: 'tag', iccids: [...known, unknown], tags: ['测试'] });
    await runUntilDone(stack.deps, job.id);
    const items = await itemsOf(stack.deps, job.id);
    expect(items.map((i) => [i.iccid, i.outcome])).toEqual([...known.map((i) => [i, 'ok']), [unknown, 'failed']]);
    expect(items[5].message).toMatch(/[\u4e00-\u9fff]/);
    const cards = await platformCards(stack.deps);
    for (const iccid of known) expect(cards.get(iccid)?.tags).toEqual(['测试']);
  });
});

describe('reading jobs', () => {
  test('jobs lists the newest first; job shows a stop job with duplicates counted once', async () => {
    const iccids = cardsIn(stack, 'active', 1000).slice(-3);
    const job = await start({ kind: 'stop', iccids: [...iccids, ...iccids], reason: '车辆报废' });
    expect(job).toEqual(
      expect.objectContaining({ kind: 'stop', total: 3, createdBy: DEV_MANAGER, tags: [], reason: '车辆报废' }),
    );
    await runUntilDone(stack.deps, job.id);
    const list = await ok(stack, 'admin', DEV_MANAGER, { action: 'jobs' });
    expect(list[0]).toEqual(expect.objectContaining({ id: job.id, state: 'done', done: 3, succeeded: 3 }));
    const times = list.map((j: any) => j.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    for (const j of list) expect(j).not.toHaveProperty('iccids');
    const counts = await networkCounts(stack);
    for (const iccid of iccids) expect(counts[iccid]).toEqual({ stop: 1, resume: 0 });
    // Each stopped card shows a pending stop until the carrier confirms it.
    const pending = await docs(stack, 'pending', { op: 'stop' });
    expect(pending.map((p) => p.iccid)).toEqual(expect.arrayContaining(iccids));
  });
});

describe('following a job', () => {
  test('a manager watching its progress keeps it going, without the timer, each card once', async () => {
    const iccids = cardsIn(stack, 'active', 1200).slice(1000);
    const job = await start({ kind: 'stop', iccids, reason: '看着进度停机' });
    expect(job.done).toBeLessThan(200);
    let detail = job;
    for (let poll = 0; poll < 100 && detail.state !== 'done'; poll++) {
      const next = await ok(stack, 'admin', DEV_MANAGER, { action: 'job', jobId: job.id });
      expect(next.done).toBeGreaterThanOrEqual(detail.done);
      detail = next;
    }
    expect(detail).toEqual(expect.objectContaining({ state: 'done', done: 200, succeeded: 200 }));
    const counts = await networkCounts(stack);
    expect(iccids.filter((iccid) => counts[iccid]?.stop !== 1)).toEqual([]);
  });
});
