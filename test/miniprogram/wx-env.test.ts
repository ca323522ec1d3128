// The fake wx answers as WeChat does: callbacks or a promise, the scripted outcome, the errMsg strings.
import { resetWx, wxOverrides, wxRecord, wxScript, wxStorage } from './wx-env';

const wx = wxOverrides() as Record<string, (...args: any[]) => any>;

afterEach(resetWx);

test('a payment the payer cancels fails with "requestPayment:fail cancel"; a scripted success succeeds', async () => {
  wxScript.payment = 'cancel';
  await expect(wx.requestPayment({ package: 'prepay_id=1' })).rejects.toEqual({
    errMsg: 'requestPayment:fail cancel',
  });
  wxScript.payment = async () => 'success';
  const done = await new Promise((resolve) => wx.requestPayment({ package: 'prepay_id=2', success: resolve }));
  expect(done).toEqual({ errMsg: 'requestPayment:ok' });
  expect(wxRecord.payments).toEqual([{ package: 'prepay_id=1' }, { package: 'prepay_id=2' }]);
});

test('scanCode gives the scripted text, or fails with cancel', async () => {
  await expect(wx.scanCode({})).rejects.toEqual({ errMsg: 'scanCode:fail cancel' });
  wxScript.scan = { result: '89860000000000000001' };
  expect(await wx.scanCode({})).toEqual(expect.objectContaining({ result: '89860000000000000001' }));
  expect(wxRecord.scans).toBe(2);
});

test('loading, toasts, modals and navigations are recorded', async () => {
  wx.showLoading({ title: '加载中' });
  expect(wxRecord.loading).toBe(true);
  await wx.hideLoading();
  wxScript.modalConfirm = false;
  expect(await wx.showModal({ title: '停机', content: '确定停机吗？' })).toEqual(
    expect.objectContaining({ confirm: false, cancel: true }),
  );
  await wx.navigateTo({ url: '/pages/card-detail/index?iccid=1' });
  await wx.navigateBack();
  expect(wxRecord).toEqual(
    expect.objectContaining({
      loading: false,
      loadings: ['加载中'],
      modals: [expect.objectContaining({ content: '确定停机吗？' })],
      navigations: [
        { method: 'navigateTo', url: '/pages/card-detail/index?iccid=1' },
        { method: 'navigateBack', url: '', delta: 1 },
      ],
    }),
  );
});

test('storage keeps JSON copies, and a request to a closed port fails as WeChat says', async () => {
  const value = { cards: [1, 2] };
  wx.setStorageSync('cache', value);
  value.cards.push(3);
  expect(wx.getStorageSync('cache')).toEqual({ cards: [1, 2] });
  expect(wxStorage.get('missing')).toBeUndefined();
  expect(wx.getStorageSync('missing')).toBe('');
  const failed = await new Promise<any>((resolve) => wx.request({ url: 'http://127.0.0.1:1/fn/login', fail: resolve }));
  expect(failed.errMsg).toMatch(/^request:fail /);
  expect(wxRecord.inFlight).toBe(0);
});
