// The scan page against the real dev host: field staff scan a card's ICCID and open it, then its map;
// codes from another fleet or garbage get a plain sentence; a closed scanner is not an error.
import { emulatorCards, pickCards, stateOf } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, wxScript } from './harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());
afterEach(() => stack.sim('POST', '/faults', {}));

const lookups = (requests: Array<{ data: unknown }>) =>
  requests.filter((r) => (r.data as { action?: string } | undefined)?.action === 'lookup');

test('field staff scan an ICCID barcode, open the card, then its location on the map', async () => {
  const card = emulatorCards(stack).find((c) => stateOf(c) === 'active')!;
  const page = await renderPage('scan', { openid: 'dev-staff', stack });
  expect(page.text()).toContain('扫一扫');

  wxScript.scan = { result: card.iccid, scanType: 'CODE_128' };
  await page.tap('#scan');
  expect(page.wx.scans).toBe(1);
  const url = `/pages/card-detail/index?iccid=${card.iccid}`;
  expect(page.wx.navigations).toEqual([{ method: 'navigateTo', url }]);
  expect(page.data.looking).toBe(false);
  expect(page.data.message).toBe('');

  const detail = await renderPage('card-detail', { openid: 'dev-staff', stack, options: { iccid: card.iccid } });
  expect(detail.text()).toContain(card.iccid);
  await detail.tap('#location');
  expect(detail.wx.navigations.at(-1)).toEqual({ method: 'switchTab', url: '/pages/map/index' });
});

test('a QR code that carries the ICCID in a URL opens the card too', async () => {
  const card = emulatorCards(stack)[7];
  const page = await renderPage('scan', { openid: 'dev-staff', stack });
  wxScript.scan = { result: `https://example.com/sim?iccid=${card.iccid}&batch=3`, scanType: 'QR_CODE' };
  await page.tap('#scan');
  expect(page.wx.navigations).toEqual([{ method: 'navigateTo', url: `/pages/card-detail/index?iccid=${card.iccid}` }]);
});

test('an ICCID of another fleet gets the sentence, with what was read', async () => {
  const page = await renderPage('scan', { openid: 'dev-staff', stack });
  const foreign = '89860000000000000000';
  wxScript.scan = { result: foreign };
  await page.tap('#scan');
  expect(page.wx.navigations).toEqual([]);
  expect(page.text('.scan__message')).toContain(`没有找到 ${foreign}：该卡不在本车队`);
  expect(page.text('.scan__message')).toContain(`读到的内容：${foreign}`);
  expect(page.data.looking).toBe(false);
});

test('garbage scanned gets a sentence that says what to do', async () => {
  const page = await renderPage('scan', { openid: 'dev-staff', stack });
  wxScript.scan = { result: 'hello world', scanType: 'QR_CODE' };
  await page.tap('#scan');
  expect(page.wx.navigations).toEqual([]);
  expect(page.text('.scan__message')).toContain(
    '没有从扫描内容中识别出卡号（ICCID）或号码，请对准卡上的条码重新扫描，或手动输入卡号。',
  );
});

test('closing the scanner says nothing and asks nothing', async () => {
  const page = await renderPage('scan', { openid: 'dev-staff', stack });
  wxScript.scan = 'cancel';
  await page.tap('#scan');
  expect(page.wx.scans).toBe(1);
  expect(page.exists('.scan__message')).toBe(false);
  expect(page.wx.toasts).toEqual([]);
  expect(page.wx.modals).toEqual([]);
  expect(lookups(page.wx.requests)).toEqual([]);
});

test('typing a number (MSISDN) finds the card; an empty field is refused before anything is sent', async () => {
  const card = emulatorCards(stack)[12];
  const page = await renderPage('scan', { openid: 'dev-manager', stack });
  await page.tapText('查找这张卡');
  expect(page.text()).toContain('请输入卡号（ICCID）或手机号码（MSISDN）。');
  expect(lookups(page.wx.requests)).toEqual([]);

  await page.input('#code', card.msisdn);
  expect(page.text()).not.toContain('请输入卡号');
  await page.tapText('查找这张卡');
  expect(page.wx.navigations).toEqual([{ method: 'navigateTo', url: `/pages/card-detail/index?iccid=${card.iccid}` }]);
});

test('a driver who scans a card of another vehicle is told it is not theirs', async () => {
  const { others } = await pickCards(stack);
  const page = await renderPage('scan', { openid: 'dev-driver', stack });
  wxScript.scan = { result: others[0].iccid };
  await page.tap('#scan');
  expect(page.wx.navigations).toEqual([]);
  expect(page.text('.scan__message')).toContain('该卡不在你驾驶的车辆上，无法查看');
});

test('platform down: the lookup says so in Chinese and the button comes back', async () => {
  const card = emulatorCards(stack)[3];
  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 500 });
  const page = await renderPage('scan', { openid: 'dev-staff', stack });
  wxScript.scan = { result: card.iccid };
  await page.tap('#scan');
  expect(page.wx.navigations).toEqual([]);
  expect(page.data.message).toMatch(/[\u4e00-\u9fa5]/);
  expect(page.text('.scan__message')).toContain(page.data.message);
  expect(page.data.looking).toBe(false);
  expect(page.text()).toContain('扫一扫');
});

test('a stranger is refused with the reason', async () => {
  const card = emulatorCards(stack)[3];
  const page = await renderPage('scan', { openid: 'stranger-scan', stack });
  wxScript.scan = { result: card.iccid };
  await page.tap('#scan');
  expect(page.wx.navigations).toEqual([]);
  expect(page.text('.scan__message')).toContain('你没有权限进行此操作');
});
