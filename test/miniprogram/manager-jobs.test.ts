// 批量任务 against the real dev host: a stop job followed from queued through running to done (the backend's
// runner ticked between the page's polls), its counters and the cards it skipped with why; the list; the
// audit trail showing the stop; a job that does not exist.
import { createServer } from 'node:net';
import { startJob } from '../../cloudfunctions/shared/services/jobs';
import { emulatorCards, networkCount, pickCards, stateOf } from '../helpers/cards';
import { runUntilDone } from '../helpers/jobs';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, type Rendered } from './harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const MANAGER = {
  openid: 'dev-manager',
  member: { openid: 'dev-manager', role: 'manager' as const, name: '王经理', vehicleIds: [], joinedAt: '' },
};

async function cardsFor(active: number, stopped: number): Promise<{ active: string[]; stopped: string[] }> {
  const { own } = await pickCards(stack);
  const free = emulatorCards(stack).filter((c) => !own.includes(c.iccid));
  return {
    active: free
      .filter((c) => stateOf(c) === 'active')
      .slice(0, active)
      .map((c) => c.iccid),
    stopped: free
      .filter((c) => stateOf(c) === 'suspended')
      .slice(0, stopped)
      .map((c) => c.iccid),
  };
}

const jobText = (page: Rendered) => page.text('.head');

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test('a stop job is followed from queued to done; the cards that could not be stopped are listed with why', async () => {
  const cards = await cardsFor(45, 2);
  // Stored as queued, as startJob leaves it before the runner's first go.
  const job = await startJob(stack.deps, MANAGER, {
    kind: 'stop',
    iccids: [...cards.stopped, ...cards.active],
    reason: '车辆停运检修',
  });
  const total = cards.active.length + cards.stopped.length;

  const list = await renderPage('manager/jobs/index', { openid: 'dev-manager', stack });
  await list.waitFor(() => list.data.jobs.length > 0, 'the jobs to load');
  expect(list.text()).toContain(`批量停机 ${total} 张卡`);
  expect(list.text()).toContain('排队中');
  expect(list.text()).toContain('原因：车辆停运检修');
  await list.tap('.job');
  expect(list.wx.navigations).toEqual([{ method: 'navigateTo', url: `/manager/job/index?jobId=${job._id}` }]);
  list.unmount();

  // A slow platform: each read of the page moves the job on by only part of its cards.
  await stack.sim('POST', '/faults', { latencyMs: 600, pathPattern: '/network$' });
  const page = await renderPage('manager/job/index', { openid: 'dev-manager', stack, options: { jobId: job._id } });
  try {
    await page.waitFor(() => page.data.job?.done > 0, 'the first cards to be done');
    expect(jobText(page)).toContain(`批量停机 ${total} 张卡`);
    const first = page.data.job.done;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(total);
    expect(page.data.job.stateName).toBe('进行中');
    expect(jobText(page)).toContain(`${first}/${total}`);
    expect(page.data.job.percent).toBe(Math.floor((first / total) * 100));
    expect(page.text()).toContain('进度会自动刷新');
    expect(page.data.following).toBe(true);
    await page.waitFor(() => page.data.job.done > first, 'the page to poll more progress', 15000);
  } finally {
    await stack.sim('POST', '/faults', {});
  }
  // The timer's runner works the rest between the page's polls.
  await runUntilDone(stack.deps, job._id);
  await page.waitFor(() => page.data.job.state === 'done', 'the page to see the job done', 20000);
  expect(page.data.following).toBe(false);
  expect(jobText(page)).toContain(`${total}/${total}`);
  expect(page.data.job).toEqual(
    expect.objectContaining({ succeeded: cards.active.length, failed: 0, skipped: cards.stopped.length, percent: 100 }),
  );
  expect(page.text()).toContain(`任务已完成`);
  expect(page.text()).toContain(`成功 ${cards.active.length} 张，失败 0 张，跳过 ${cards.stopped.length} 张`);
  expect(page.text()).toContain(`未成功的卡（${cards.stopped.length}）`);
  expect(page.data.problems.map((p: any) => p.iccid).sort()).toEqual([...cards.stopped].sort());
  for (const problem of page.data.problems) {
    expect(problem.outcome).toBe('跳过');
    expect(problem.message).toContain('无需也不能停机');
  }
  // The platform was asked to stop every active card exactly once, and no stopped one.
  for (const iccid of cards.active) expect((await networkCount(stack, iccid)).stop).toBe(1);
  for (const iccid of cards.stopped) expect((await networkCount(stack, iccid)).stop).toBe(0);

  const again = await renderPage('manager/jobs/index', { openid: 'dev-manager', stack });
  await again.waitFor(() => again.data.jobs.length > 0, 'the jobs to load');
  expect(again.data.jobs[0]).toEqual(expect.objectContaining({ id: job._id, stateName: '已完成', percent: 100 }));
  expect(again.text()).toContain(`已处理 ${total}/${total}`);
});

test('while following, a failed refresh is shown and polling goes on until the job is done', async () => {
  const cards = await cardsFor(100, 0);
  const job = await startJob(stack.deps, MANAGER, {
    kind: 'stop',
    iccids: cards.active.slice(60, 100),
    reason: '网络中断测试',
  });
  await stack.sim('POST', '/faults', { latencyMs: 600, pathPattern: '/network$' });
  const page = await renderPage('manager/job/index', { openid: 'dev-manager', stack, options: { jobId: job._id } });
  try {
    await page.waitFor(() => page.data.job, 'the job to load');
    expect(page.data.job.state).not.toBe('done');
    page.mod('config').configure({ devHost: `http://127.0.0.1:${await closedPort()}` });
    await page.waitForText('进度暂时没有刷新：网络连接失败，请检查网络后重试。', 15000);
    expect(page.data.following).toBe(true);
    expect(jobText(page)).toContain('批量停机 40 张卡'); // the last progress stays
  } finally {
    await stack.sim('POST', '/faults', {});
  }
  page.mod('config').configure({ devHost: stack.host.url });
  await page.waitFor(() => page.data.job.state === 'done', 'the job to be followed to done', 30000);
  expect(page.data.pollError).toBe('');
  expect(page.text()).toContain('任务已完成');
});

test('the audit trail shows the batch stop and a single stop, and filters by ICCID', async () => {
  const { active } = await cardsFor(60, 0);
  const iccid = active[59];
  const stopped = await stack.fn('cards', 'dev-manager', {
    action: 'setNetwork',
    iccid,
    op: 'stop',
    reason: '设备拆除',
  });
  expect(stopped.ok).toBe(true);

  const page = await renderPage('manager/audit/index', { openid: 'dev-manager', stack });
  await page.waitFor(() => !page.data.loading, 'the audit trail to load');
  const titles = page.data.entries.map((e: any) => e.title);
  expect(titles[0]).toBe('停机');
  expect(titles).toContain('批量任务结束');
  expect(titles).toContain('发起批量任务');
  const starts = page.data.entries.filter((e: any) => e.title === '发起批量任务');
  expect(starts).toContainEqual(
    expect.objectContaining({ who: '王经理', outcome: '成功', detail: '批量停机 47 张卡，原因：车辆停运检修' }),
  );
  expect(page.text()).toContain(`ICCID ${iccid}`);
  expect(page.text()).toContain('原因：设备拆除');
  // A batch job's entry opens the job with each card's outcome.
  const finish = page.data.entries.find((e: any) => e.title === '批量任务结束');
  await page.tap(`#entry-${finish.id}`);
  expect(page.wx.navigations).toEqual([
    { method: 'navigateTo', url: expect.stringMatching(/^\/manager\/job\/index\?jobId=job-/) },
  ]);

  await page.input('#iccid-filter', iccid.toLowerCase());
  await page.tapText('筛选');
  await page.waitFor(() => !page.data.loading && page.data.iccid === iccid, 'the filter to apply');
  expect(page.data.entries).toHaveLength(1);
  expect(page.data.entries[0]).toEqual(expect.objectContaining({ title: '停机', target: `ICCID ${iccid}` }));
  expect(page.text()).toContain(`只显示卡 ${iccid} 的记录（共 1 条）`);

  await page.input('#iccid-filter', '123');
  await page.tapText('筛选');
  expect(page.text()).toContain('请输入完整的 ICCID');
});

test('the audit trail pages 20 at a time, adding the next page on scroll', async () => {
  for (let i = 0; i < 25; i++)
    await stack.fn('admin', 'dev-manager', { action: 'invite', role: 'staff', name: `外勤${i}` });
  const page = await renderPage('manager/audit/index', { openid: 'dev-manager', stack });
  await page.waitFor(() => !page.data.loading, 'the audit trail to load');
  const total = page.data.total;
  expect(total).toBeGreaterThan(25);
  expect(page.data.entries).toHaveLength(20);
  expect(page.text()).toContain('上拉加载更多');
  await page.lifecycle('onReachBottom');
  await page.waitFor(() => page.data.entries.length === Math.min(40, total), 'the next page');
  const ids = page.data.entries.map((e: any) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(page.data.entries[0].title).toBe('生成邀请码');
});

test('a job that does not exist says so', async () => {
  const page = await renderPage('manager/job/index', { openid: 'dev-manager', stack, options: { jobId: 'job-nope' } });
  await page.waitForText('没有找到这个批量任务，请刷新任务列表。');
  expect(page.data.following).toBe(false);
});

test('with no jobs yet, the list says how to start one', async () => {
  const fresh = await startTestStack();
  try {
    const page = await renderPage('manager/jobs/index', { openid: 'dev-manager', stack: fresh });
    await page.waitForText('还没有批量任务');
    expect(page.text()).toContain('长按选择多张卡');
  } finally {
    await fresh.stop();
  }
});
