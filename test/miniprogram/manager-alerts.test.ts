// 提醒规则 against the real dev host: add a fleet rule and a vehicle rule, what the form refuses before
// sending, switch a rule off, edit one, delete one with a confirm.
import { vehicleId } from '../../dev/seed';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, wxScript, type Rendered } from './harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const PAGE = 'manager/alerts/index';
const loaded = (page: Rendered) => page.waitFor(() => !page.data.loading, 'the rules to load');
const rules = async () => (await stack.fn('admin', 'dev-manager', { action: 'alerts' })).data;

test('with no rules, the page says what a rule is for', async () => {
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await loaded(page);
  expect(page.text()).toContain('还没有提醒规则');
});

test('a manager adds a rule for the fleet in MB, and one for a vehicle in % that tells the driver too', async () => {
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await loaded(page);

  await page.tapText('添加规则');
  await page.input('#threshold', '500');
  await page.tapText('保存');
  await page.waitFor(() => !page.data.editing, 'the rule to be saved');
  await loaded(page);
  expect(page.wx.toasts).toEqual([{ title: '已添加提醒规则', icon: 'success' }]);
  expect(page.data.rules).toEqual([
    expect.objectContaining({ thresholdText: '剩余流量低于 500MB', scopeText: '整个车队', notifyText: '提醒 王经理' }),
  ]);

  await page.tapText('添加规则');
  await page.tapText('一辆车');
  await page.tapText('粤B12345');
  await page.tapText('%（占套餐）');
  await page.input('#threshold', '10');
  await page.tapText('李师傅');
  await page.tapText('保存');
  await page.waitFor(() => !page.data.editing, 'the rule to be saved');
  await loaded(page);
  expect(page.data.rules[1]).toEqual(
    expect.objectContaining({
      thresholdText: '剩余流量低于 10%',
      scopeText: '车辆 粤B12345',
      notifyText: '提醒 王经理、李师傅',
    }),
  );
  expect((await rules())[1]).toEqual(
    expect.objectContaining({
      vehicleId: vehicleId('粤B12345'),
      iccid: null,
      thresholdPercent: 10,
      thresholdMB: null,
      notify: ['dev-manager', 'dev-driver'],
      enabled: true,
    }),
  );
});

test('the form says what is missing before anything is sent', async () => {
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await loaded(page);
  await page.tapText('添加规则');
  const sent = page.wx.requests.length;

  await page.tapText('保存');
  expect(page.text('.sheet__error')).toBe('请填写提醒阈值：大于 0 的数字。');
  await page.tapText('%（占套餐）');
  await page.input('#threshold', '100');
  await page.tapText('保存');
  expect(page.text('.sheet__error')).toBe('百分比阈值应小于 100。');
  await page.input('#threshold', '20');
  await page.tapText('一张卡');
  await page.input('#alert-iccid', '8986');
  await page.tapText('保存');
  expect(page.text('.sheet__error')).toBe('请输入完整的 ICCID（89 开头的 19–20 位）。');
  await page.tapText('一辆车');
  await page.tapText('保存');
  expect(page.text('.sheet__error')).toBe('请选择一辆车。');
  await page.tapText('整个车队');
  await page.tapText('王经理'); // untick the only one told
  await page.tapText('保存');
  expect(page.text('.sheet__error')).toBe('请至少选择一位要提醒的成员。');
  expect(page.wx.requests.length).toBe(sent);

  // A card that is not the fleet's: the backend's sentence.
  await page.tapText('王经理');
  await page.tapText('一张卡');
  await page.input('#alert-iccid', '89860000000000000001');
  await page.tapText('保存');
  await page.waitFor(() => page.data.formError.includes('不是本车队的卡'), 'the backend to refuse the card');
  expect(page.data.saving).toBe(false);
});

test('a rule is switched off from the list, edited, and deleted after a confirm', async () => {
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await loaded(page);
  const [first] = await rules();

  await page.tap(`#switch-${first.id}`);
  await page.waitFor(() => !page.wx.loading && page.wx.loadings.length > 0, 'the switch to be saved');
  expect(page.wx.loadings).toEqual(['正在关闭…']);
  expect((await rules())[0].enabled).toBe(false);
  expect(page.data.rules[0].enabled).toBe(false);

  await page.tap(`#rule-${first.id}`);
  expect(page.data.form).toEqual(
    expect.objectContaining({ id: first.id, threshold: '500', unit: 'mb', enabled: false }),
  );
  await page.input('#threshold', '300');
  await page.tapText('保存');
  await page.waitFor(() => !page.data.editing, 'the rule to be saved');
  await loaded(page);
  expect(page.data.rules[0].thresholdText).toBe('剩余流量低于 300MB');
  expect((await rules())[0]).toEqual(expect.objectContaining({ id: first.id, thresholdMB: 300, enabled: false }));

  const count = (await rules()).length;
  wxScript.modalConfirm = false;
  await page.tap(`#delete-${first.id}`);
  expect(page.wx.modals).toEqual([expect.objectContaining({ title: '删除这条提醒规则？' })]);
  expect(await rules()).toHaveLength(count);

  wxScript.modalConfirm = true;
  await page.tap(`#delete-${first.id}`);
  await page.waitFor(() => page.wx.toasts.some((t) => t.title === '已删除'), 'the rule to be deleted');
  await loaded(page);
  expect(await rules()).toHaveLength(count - 1);
  expect(page.data.rules.some((r: any) => r.id === first.id)).toBe(false);
});
