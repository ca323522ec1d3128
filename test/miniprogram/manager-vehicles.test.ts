// 车辆 against the real dev host: the list, adding a vehicle with pasted and scanned ICCIDs and a driver,
// editing one, and the sentences for an invalid plate and for text that is not a card number.
import { emulatorCards, stateOf } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, wxScript, type Rendered } from './harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const PAGE = 'manager/vehicles/index';
const loaded = (page: Rendered) => page.waitFor(() => !page.data.loading, 'the vehicles to load');

/** Active cards no vehicle of the seed holds. */
async function freeCards(count: number): Promise<string[]> {
  const vehicles = (await stack.fn('admin', 'dev-manager', { action: 'vehicles' })).data;
  const held = new Set(vehicles.flatMap((v: any) => v.iccids));
  return emulatorCards(stack)
    .filter((c) => stateOf(c) === 'active' && !held.has(c.iccid))
    .slice(0, count)
    .map((c) => c.iccid);
}

test('the list shows each vehicle with its cards and drivers', async () => {
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await loaded(page);
  expect(page.text()).toContain('车辆（6）');
  const row = page.data.vehicles.find((v: any) => v.plate === '粤B12345');
  expect(row).toEqual(expect.objectContaining({ cardsText: '3 张卡', driversText: '司机 李师傅' }));
  expect(page.text()).toContain('未分配司机');
});

test('adding a vehicle with an invalid plate shows the sentence; a valid one is saved with its cards and driver', async () => {
  const [pasted, scanned] = await freeCards(2);
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await loaded(page);
  await page.tapText('添加车辆');
  await page.input('#plate', 'ABC');
  await page.input('#iccids', ` ${pasted.toLowerCase()} `);
  wxScript.scan = { result: scanned, scanType: 'CODE_128' };
  await page.tapText('扫码添加卡号');
  expect(page.data.form.iccidsText).toBe(`${pasted}\n${scanned}`);
  await page.tapText('李师傅');
  await page.tapText('保存');
  await page.waitFor(() => page.data.formError, 'the plate to be refused');

  expect(page.text('.sheet__error')).toBe('车牌号“ABC”格式不正确，请输入完整车牌，例如“粤B12345”。');
  expect(page.data.saving).toBe(false);
  expect(page.data.editing).toBe(true);

  await page.input('#plate', '粤C 12345');
  expect(page.data.formError).toBe(''); // typing clears the old sentence
  await page.tapText('保存');
  await page.waitFor(() => !page.data.editing, 'the vehicle to be saved');

  expect(page.wx.toasts).toEqual([{ title: '已添加 粤C12345', icon: 'success' }]);
  await loaded(page);
  const row = page.data.vehicles.find((v: any) => v.plate === '粤C12345');
  expect(row).toEqual(expect.objectContaining({ cardsText: '2 张卡', driversText: '司机 李师傅' }));
  const saved = (await stack.fn('admin', 'dev-manager', { action: 'vehicles' })).data.find(
    (v: any) => v.plate === '粤C12345',
  );
  expect(saved.iccids.sort()).toEqual([pasted, scanned].sort());
  expect(saved.driverOpenids).toEqual(['dev-driver']);
});

test('editing a vehicle starts from what it has; a bad plate is refused and nothing changes', async () => {
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await loaded(page);
  const before = (await stack.fn('admin', 'dev-manager', { action: 'vehicles' })).data.find(
    (v: any) => v.plate === '粤A88888',
  );
  await page.tap(`#vehicle-${before.id}`);
  expect(page.data.form).toEqual(
    expect.objectContaining({ id: before.id, plate: '粤A88888', iccidsText: before.iccids.join('\n') }),
  );
  await page.input('#plate', '粤A8');
  await page.tapText('保存');
  await page.waitFor(() => page.data.formError, 'the plate to be refused');
  expect(page.data.formError).toContain('车牌号“粤A8”格式不正确');

  await page.input('#remark', '冷链车');
  await page.input('#plate', '粤A88888');
  await page.tapText('保存');
  await page.waitFor(() => !page.data.editing, 'the vehicle to be saved');
  expect(page.wx.toasts).toEqual([{ title: '已保存', icon: 'success' }]);
  await loaded(page);
  expect(page.text()).toContain('冷链车');
  const after = (await stack.fn('admin', 'dev-manager', { action: 'vehicles' })).data.find(
    (v: any) => v.id === before.id,
  );
  expect(after).toEqual(expect.objectContaining({ plate: '粤A88888', iccids: before.iccids, remark: '冷链车' }));
});

test('text that is not a card number is refused before anything is sent; a card of another fleet by the backend', async () => {
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await loaded(page);
  await page.tapText('添加车辆');
  await page.input('#plate', '粤D12345');
  await page.input('#iccids', '89860012345\n粤B12345');
  const sent = page.wx.requests.length;
  await page.tapText('保存');
  expect(page.data.formError).toBe('「89860012345」不是卡号：ICCID 为 89 开头的 19–20 位，请修改后再保存。');
  expect(page.wx.requests.length).toBe(sent);

  await page.input('#iccids', '89860000000000000001');
  await page.tapText('保存');
  await page.waitFor(() => page.data.formError, 'the card to be refused');
  expect(page.data.formError).toContain('不是本车队的卡');
});

test('a scanned code that is not an ICCID says so', async () => {
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await loaded(page);
  await page.tapText('添加车辆');
  wxScript.scan = { result: 'https://example.com/x', scanType: 'QR_CODE' };
  await page.tapText('扫码添加卡号');
  expect(page.data.formError).toContain('不是卡号');
  expect(page.data.form.iccidsText).toBe('');
});
