// The `wx` a mini-program test runs against: simulate's stub, with a fixed 375 px device, REAL
// `wx.request` over Node http (so the gateway reaches the dev host), and recorders and scripted answers
// for the APIs a page uses to talk to the person holding the phone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loginCode, realRequest } from './wx-request';

export type Callbacks = { success?: (res: any) => void; fail?: (err: any) => void; complete?: (res: any) => void };
export type Opts = Callbacks & Record<string, any>;

export type NavigationMethod = 'navigateTo' | 'redirectTo' | 'switchTab' | 'reLaunch' | 'navigateBack';
export interface Navigation {
  method: NavigationMethod;
  /** The url as the page passed it ('' for navigateBack). */
  url: string;
  /** navigateBack's delta (1 by default). */
  delta?: number;
}

/** What the pages did to the person: read these in assertions. Cleared after every test. */
export interface WxRecord {
  toasts: Array<{ title: string; icon?: string }>;
  modals: Array<{ title?: string; content?: string; showCancel?: boolean; confirmText?: string }>;
  actionSheets: string[][];
  /** Titles of every showLoading, in order. */
  loadings: string[];
  /** Whether a loading indicator is showing now (showLoading not yet followed by hideLoading). */
  loading: boolean;
  navigations: Navigation[];
  clipboard: string[];
  payments: Array<Record<string, unknown>>;
  subscribes: Array<{ tmplIds: string[] }>;
  openedLocations: Array<{ latitude: number; longitude: number; name?: string; address?: string }>;
  scans: number;
  locationRequests: number;
  titles: string[];
  pullDownStops: number;
  /** Requests to the dev host in flight now. */
  inFlight: number;
  /** Every request sent: method and url. */
  requests: Array<{ method: string; url: string; data: unknown }>;
}

/** Answers the test scripts before acting; reset to these defaults after every test. */
export interface WxScript {
  /** wx.scanCode: the scanned text, or 'cancel' (the person closed the scanner). */
  scan: { result: string; scanType?: string } | 'cancel';
  /** wx.requestPayment: what the payer does; a function runs first (e.g. calls the emulator's /__sim/pay). */
  payment:
    'success' | 'cancel' | 'fail' | ((params: Record<string, unknown>) => Promise<'success' | 'cancel' | 'fail'>);
  /** wx.showModal: the button the person taps (true: confirm). */
  modalConfirm: boolean;
  /** wx.showActionSheet: the index of the item tapped, or 'cancel'. */
  actionSheet: number | 'cancel';
  /** wx.requestSubscribeMessage: the answer for every template. */
  subscribe: 'accept' | 'reject';
  /** wx.getLocation: where the phone is, or 'deny' (no permission). */
  location: { latitude: number; longitude: number; accuracy?: number } | 'deny';
}

export const SYSTEM_INFO = {
  brand: 'devtools',
  model: 'iPhone 6/7/8',
  pixelRatio: 2,
  screenWidth: 375,
  screenHeight: 667,
  windowWidth: 375,
  windowHeight: 603,
  statusBarHeight: 20,
  language: 'zh_CN',
  version: '8.0.50',
  system: 'iOS 16.0',
  platform: 'ios',
  SDKVersion: '3.7.0',
  theme: 'light',
  safeArea: { left: 0, right: 375, top: 20, bottom: 667, width: 375, height: 647 },
};

const defaultScript = (): WxScript => ({
  scan: 'cancel',
  payment: 'success',
  modalConfirm: true,
  actionSheet: 0,
  subscribe: 'accept',
  location: { latitude: 22.5431, longitude: 114.0579, accuracy: 30 },
});

const emptyRecord = (): WxRecord => ({
  toasts: [],
  modals: [],
  actionSheets: [],
  loadings: [],
  loading: false,
  navigations: [],
  clipboard: [],
  payments: [],
  subscribes: [],
  openedLocations: [],
  scans: 0,
  locationRequests: 0,
  titles: [],
  pullDownStops: 0,
  inFlight: 0,
  requests: [],
});

export const wxRecord: WxRecord = emptyRecord();
export const wxScript: WxScript = defaultScript();
/** Who wx.login logs in as, and the emulator that issues its codes (set by the harness). */
export const wxIdentity: { openid: string; emulatorUrl: string | null } = { openid: 'dev-manager', emulatorUrl: null };
/** The open pages, oldest first, as getCurrentPages() returns them (maintained by the harness). */
export const pageStack: any[] = [];
const storage = new Map<string, unknown>();
// WeChat stores JSON: what comes back is a copy, never the object that went in.
const clone = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

/** wx storage as the app sees it: preset a cache before a page opens, or read what a page saved. */
export const wxStorage = {
  get: (key: string): unknown => (storage.has(key) ? clone(storage.get(key)) : undefined),
  set: (key: string, value: unknown): void => void storage.set(key, clone(value)),
};

export function resetWx(): void {
  Object.assign(wxRecord, emptyRecord());
  Object.assign(wxScript, defaultScript());
  storage.clear();
}

/**
 * Acts at once (so a recorder sees the call as it happens), then answers later as WeChat does: through
 * success/fail/complete, or, without callbacks, as a promise.
 */
function answer(opts: Opts | undefined, run: () => any | Promise<any>): Promise<any> | undefined {
  const outcome = (res: any) => ({ ok: true, res });
  const failure = (err: any) => ({ ok: false, res: err instanceof Error ? { errMsg: err.message } : err });
  let settled: Promise<{ ok: boolean; res: any }>;
  try {
    settled = Promise.resolve(run()).then(outcome, failure);
  } catch (error) {
    settled = Promise.resolve(failure(error));
  }
  const hasCallbacks = !!(opts && (opts.success || opts.fail || opts.complete));
  if (!hasCallbacks) return settled.then(({ ok, res }) => (ok ? res : Promise.reject(res)));
  void settled.then(({ ok, res }) => {
    if (ok) opts?.success?.(res);
    else opts?.fail?.(res);
    opts?.complete?.(res);
  });
  return undefined;
}

const failWith = (errMsg: string) => {
  throw { errMsg };
};

// The tab pages of app.json: WeChat refuses navigateTo/redirectTo to them, and switchTab takes no query.
const TAB_PAGES: string[] = (
  JSON.parse(readFileSync(join(__dirname, '../../miniprogram/app.json'), 'utf8')) as {
    tabBar: { list: Array<{ pagePath: string }> };
  }
).tabBar.list.map((t) => `/${t.pagePath}`);

function navigate(method: NavigationMethod) {
  return (opts: Opts = {}) =>
    answer(opts, () => {
      const path = String(opts.url ?? '').split('?')[0];
      const isTab = TAB_PAGES.includes(path);
      if ((method === 'navigateTo' || method === 'redirectTo') && isTab) {
        failWith(`${method}:fail can not ${method} a tabbar page`);
      }
      if (method === 'switchTab' && String(opts.url ?? '').includes('?')) {
        failWith('switchTab:fail url with query is not supported');
      }
      wxRecord.navigations.push(
        method === 'navigateBack' ? { method, url: '', delta: opts.delta ?? 1 } : { method, url: opts.url },
      );
      return { errMsg: `${method}:ok` };
    });
}

/** The recorders and the real network, laid over simulate's stub. */
export function wxOverrides(): Record<string, unknown> {
  return {
    getSystemInfoSync: () => ({ ...SYSTEM_INFO }),
    getSystemInfo: (opts?: Opts) => answer(opts, () => ({ ...SYSTEM_INFO, errMsg: 'getSystemInfo:ok' })),
    getWindowInfo: () => ({ ...SYSTEM_INFO }),
    getDeviceInfo: () => ({ ...SYSTEM_INFO }),
    getAppBaseInfo: () => ({ ...SYSTEM_INFO, host: { env: 'WeChat' } }),
    request: (opts: Opts) => realRequest(opts, wxRecord),
    login: (opts?: Opts) =>
      answer(opts, async () => ({
        code: await loginCode(wxIdentity.openid, wxIdentity.emulatorUrl),
        errMsg: 'login:ok',
      })),
    showToast: (opts: Opts) =>
      answer(opts, () => {
        wxRecord.toasts.push({ title: opts.title, icon: opts.icon });
        return { errMsg: 'showToast:ok' };
      }),
    hideToast: (opts?: Opts) => answer(opts, () => ({ errMsg: 'hideToast:ok' })),
    showModal: (opts: Opts) =>
      answer(opts, () => {
        const { title, content, showCancel, confirmText } = opts;
        wxRecord.modals.push({ title, content, showCancel, confirmText });
        const confirm = wxScript.modalConfirm || showCancel === false;
        return { confirm, cancel: !confirm, errMsg: 'showModal:ok' };
      }),
    showActionSheet: (opts: Opts) =>
      answer(opts, () => {
        wxRecord.actionSheets.push([...(opts.itemList ?? [])]);
        if (wxScript.actionSheet === 'cancel') return failWith('showActionSheet:fail cancel');
        return { tapIndex: wxScript.actionSheet, errMsg: 'showActionSheet:ok' };
      }),
    showLoading: (opts: Opts) =>
      answer(opts, () => {
        wxRecord.loadings.push(opts.title);
        wxRecord.loading = true;
        return { errMsg: 'showLoading:ok' };
      }),
    hideLoading: (opts?: Opts) =>
      answer(opts, () => {
        wxRecord.loading = false;
        return { errMsg: 'hideLoading:ok' };
      }),
    navigateTo: navigate('navigateTo'),
    redirectTo: navigate('redirectTo'),
    switchTab: navigate('switchTab'),
    reLaunch: navigate('reLaunch'),
    navigateBack: navigate('navigateBack'),
    scanCode: (opts?: Opts) =>
      answer(opts, () => {
        wxRecord.scans++;
        const scan = wxScript.scan;
        if (scan === 'cancel') return failWith('scanCode:fail cancel');
        return { result: scan.result, scanType: scan.scanType ?? 'CODE_128', charSet: 'utf-8', errMsg: 'scanCode:ok' };
      }),
    requestPayment: (opts: Opts) =>
      answer(opts, async () => {
        const { success: _s, fail: _f, complete: _c, ...params } = opts;
        wxRecord.payments.push(params);
        const outcome = typeof wxScript.payment === 'function' ? await wxScript.payment(params) : wxScript.payment;
        if (outcome === 'cancel') return failWith('requestPayment:fail cancel');
        if (outcome === 'fail') return failWith('requestPayment:fail (detail message)');
        return { errMsg: 'requestPayment:ok' };
      }),
    requestSubscribeMessage: (opts: Opts) =>
      answer(opts, () => {
        const tmplIds: string[] = opts.tmplIds ?? [];
        wxRecord.subscribes.push({ tmplIds });
        const result: Record<string, string> = { errMsg: 'requestSubscribeMessage:ok' };
        for (const id of tmplIds) result[id] = wxScript.subscribe;
        return result;
      }),
    openLocation: (opts: Opts) =>
      answer(opts, () => {
        const { latitude, longitude, name, address } = opts;
        wxRecord.openedLocations.push({ latitude, longitude, name, address });
        return { errMsg: 'openLocation:ok' };
      }),
    getLocation: (opts?: Opts) =>
      answer(opts, () => {
        wxRecord.locationRequests++;
        const location = wxScript.location;
        if (location === 'deny') return failWith('getLocation:fail auth deny');
        return { accuracy: 30, speed: 0, altitude: 0, ...location, errMsg: 'getLocation:ok' };
      }),
    setClipboardData: (opts: Opts) =>
      answer(opts, () => {
        wxRecord.clipboard.push(String(opts.data));
        return { errMsg: 'setClipboardData:ok' };
      }),
    getClipboardData: (opts?: Opts) =>
      answer(opts, () => ({ data: wxRecord.clipboard.at(-1) ?? '', errMsg: 'getClipboardData:ok' })),
    setNavigationBarTitle: (opts: Opts) =>
      answer(opts, () => {
        wxRecord.titles.push(opts.title);
        return { errMsg: 'setNavigationBarTitle:ok' };
      }),
    stopPullDownRefresh: (opts?: Opts) =>
      answer(opts, () => {
        wxRecord.pullDownStops++;
        return { errMsg: 'stopPullDownRefresh:ok' };
      }),
    getStorageSync: (key: string) => (storage.has(key) ? clone(storage.get(key)) : ''),
    setStorageSync: (key: string, value: unknown) => void storage.set(key, clone(value)),
    removeStorageSync: (key: string) => void storage.delete(key),
    clearStorageSync: () => storage.clear(),
    getStorage: (opts: Opts) =>
      answer(opts, () =>
        storage.has(opts.key)
          ? { data: clone(storage.get(opts.key)), errMsg: 'getStorage:ok' }
          : failWith('getStorage:fail data not found'),
      ),
    setStorage: (opts: Opts) =>
      answer(opts, () => {
        storage.set(opts.key, clone(opts.data));
        return { errMsg: 'setStorage:ok' };
      }),
    removeStorage: (opts: Opts) =>
      answer(opts, () => {
        storage.delete(opts.key);
        return { errMsg: 'removeStorage:ok' };
      }),
  };
}
