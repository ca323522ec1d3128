// Renders a real page (or component) of miniprogram/ with miniprogram-simulate and WeChat's own WXML
// compiler, against the real dev host, and drives it the way a person does: read, tap, type, wait.
import { loadIsolated, routeOf, type ModuleOf } from './load';
import { dom, simulate, type DomElement, type SimRoot } from './simulate';
import { pageStack, wxIdentity, wxRecord, type WxRecord } from './wx-env';

/** Where the dev host and the emulator are: a TestStack from startTestStack() fits. */
export interface StackLike {
  host: { url: string };
  emulator?: { url: string };
}

export interface RenderOptions {
  /** Who is holding the phone: dev-manager, dev-driver, dev-staff, or any other openid (a stranger). */
  openid: string;
  /** The dev stack to call; or give `devHost` alone (e.g. a closed port). */
  stack?: StackLike;
  devHost?: string;
  /** The page's query, as onLoad receives it (strings). */
  options?: Record<string, string>;
  /** Run app.ts's onLaunch (the launch login) and wait for it before the page loads. Default true. */
  launch?: boolean;
  /** Runs in the page's module isolation before the page loads (seed a store, wx storage…); may be async. */
  before?: (mod: ModuleOf) => unknown;
  /** Properties, for renderComponent. */
  properties?: Record<string, unknown>;
}

export interface Rendered {
  /** simulate's root: `.instance` is the page's `this`, `.dom` the rendered DOM. */
  comp: SimRoot;
  /** The route rendered ('pages/welcome/index') and simulate's id for it (its <style id> in the head). */
  route: string;
  loadId: string;
  instance: any;
  /** The page's data now. */
  readonly data: any;
  /** A module of miniprogram/ as THIS page sees it (same store instances): mod('stores/session').sessionStore. */
  mod: ModuleOf;
  /** The visible text of the page (or of the first node matching `selector`), whitespace collapsed. */
  text(selector?: string): string;
  /**
   * Whether a node matches `selector`. Selectors: WXML ids/classes as the page wrote them ('#submit',
   * '.card-row'; '.list >>> .inner' crosses into a component), or a tag of the rendered DOM ('van-field',
   * 'van-button', 'wx-input'); the first match in document order counts.
   */
  exists(selector: string): boolean;
  /** Taps the node matching `selector` (at its innermost first element, so a bindtap inside a component runs). */
  tap(selector: string): Promise<void>;
  /** Taps the first element whose whole text is `text` (e.g. a button's label '加入车队'), at its innermost. */
  tapText(text: string): Promise<void>;
  /** Types `value` into the input inside the node matching `selector` (a van-field, van-search, <input>). */
  input(selector: string, value: string): Promise<void>;
  /** Fires `event` with `detail` at the node matching `selector` (e.g. 'longpress', 'scrolltolower'). */
  trigger(selector: string, event: string, detail?: unknown): Promise<void>;
  /** Polls `condition` until it returns something truthy, which it returns; fails naming `what`. */
  waitFor<T>(condition: () => T | Promise<T>, what?: string, timeoutMs?: number): Promise<T>;
  /** Waits until the page's text contains `text` (or matches the RegExp). */
  waitForText(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Waits until no request is in flight and the store reactions and setData have run. */
  settle(): Promise<void>;
  /** Calls a page method if it exists (onShow, onHide, onPullDownRefresh, onReachBottom…), then settles. */
  lifecycle(name: string, ...args: unknown[]): Promise<void>;
  /** What the app did through wx: toasts, modals, loading, navigations… (shared by everything rendered). */
  wx: WxRecord;
  /** onUnload, detach. after-env.ts unmounts whatever a test left. */
  unmount(): void;
}

const mounted: Rendered[] = [];
const normalise = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();

function innermostFirst(node: DomElement): DomElement {
  let el = node;
  while (el.firstElementChild) el = el.firstElementChild;
  return el;
}

/** Waits until the network is quiet: responses, then the store reactions (wx.nextTick) and their setData. */
export async function settle(): Promise<void> {
  for (let quiet = 0; quiet < 3;) {
    await simulate.sleep(5);
    quiet = wxRecord.inFlight === 0 ? quiet + 1 : 0;
  }
}

/** Polls until `condition` is truthy. The bound only turns a hang into a clear failure; no test asserts time. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  what = 'the condition',
  timeoutMs = 8000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await simulate.sleep(10);
  }
}

const exparserOf = (_el: DomElement) => require('miniprogram-exparser'); // eslint-disable-line @typescript-eslint/no-require-imports

/** Fires `event` at a rendered DOM element through exparser, bubbling across component boundaries. */
function fire(el: DomElement, event: string, detail: unknown = {}): Promise<void> {
  const exparser = exparserOf(el);
  const node = (el as any).__wxElement;
  if (!node) throw new Error(`<${el.tagName.toLowerCase()}> is not part of a rendered page`);
  exparser.Event.dispatchEvent(
    node,
    exparser.Event.create(event, detail, { bubbles: true, composed: true, capturePhase: true }),
  );
  return settle();
}

async function mount(route: string, kind: 'page' | 'component', opts: RenderOptions): Promise<Rendered> {
  const devHost = opts.devHost ?? opts.stack?.host.url;
  if (!devHost) throw new Error('render needs `stack` (from startTestStack()) or `devHost`');
  wxIdentity.openid = opts.openid;
  wxIdentity.emulatorUrl = opts.stack?.emulator?.url ?? null;
  const launch = opts.launch !== false;
  const tagName = kind === 'page' ? 'page' : route.split('/').slice(-2, -1)[0];
  const { id, app, mod, before } = loadIsolated({
    route,
    tagName,
    devHost,
    openid: opts.openid,
    launch,
    before: opts.before,
  });
  await before;
  if (app) {
    app.onLaunch?.({ path: route, query: opts.options ?? {}, scene: 1001 });
    const session = mod('stores/session').sessionStore;
    await waitFor(() => session.ready, 'the launch login to finish');
  }

  const comp = simulate.render(id, opts.properties ?? {});
  const parent = dom().createElement('div');
  dom().body.appendChild(parent);
  comp.attach(parent);
  const instance = comp.instance;
  if (kind === 'page') {
    pageStack.push(instance);
    Object.assign(instance, { route, options: opts.options ?? {} });
    instance.onLoad?.({ ...opts.options });
    instance.onShow?.();
    instance.onReady?.();
  }
  await settle();
  return track(comp, { route, loadId: id, kind, parent, mod });
}

interface Mounted {
  route: string;
  loadId: string;
  kind: 'page' | 'component';
  parent: DomElement;
  mod: ModuleOf;
}

function track(comp: SimRoot, { route, loadId, kind, parent, mod }: Mounted): Rendered {
  const root = comp.dom!;
  const instance = comp.instance;
  // WXML ids/classes as the page wrote them (exparser, like selectComponent); else a tag of the rendered DOM.
  const lookup = (selector: string): DomElement | null => {
    try {
      const node = comp.querySelector(selector);
      if (node?.dom) return node.dom;
    } catch {
      // not a selector exparser understands: try the DOM
    }
    try {
      return root.querySelector(selector);
    } catch {
      return null;
    }
  };
  const find = (selector: string): DomElement => {
    const el = lookup(selector);
    if (!el) throw new Error(`nothing matches ${selector}; the page shows: “${normalise(root.textContent)}”`);
    return el;
  };
  const rendered: Rendered = {
    comp,
    route,
    loadId,
    instance,
    get data() {
      return comp.data;
    },
    mod,
    text: (selector) => normalise((selector ? find(selector) : root).textContent),
    exists: (selector) => !!lookup(selector),
    tap: (selector) => fire(innermostFirst(find(selector)), 'tap'),
    async tapText(text) {
      // The first element that says exactly `text`, then down to the innermost one that still does.
      const says = (el: DomElement) => normalise(el.textContent) === text;
      let target = Array.from(root.querySelectorAll('*')).find(says);
      if (!target) throw new Error(`nothing says “${text}”; the page shows: “${normalise(root.textContent)}”`);
      for (let inner = Array.from(target.children).find(says); inner; inner = Array.from(inner.children).find(says))
        target = inner;
      await fire(innermostFirst(target), 'tap');
    },
    async input(selector, value) {
      const node = find(selector);
      const field = node.matches('wx-input, wx-textarea') ? node : node.querySelector('wx-input, wx-textarea');
      if (!field) throw new Error(`${selector} holds no input`);
      // The native input holds what was typed (a page often keeps it off its own data), then tells the page.
      exparserOf(field)
        .Element.getMethodCaller((field as any).__wxElement)
        ?.setData?.({ value });
      await fire(field, 'input', { value, cursor: value.length, keyCode: 0 });
    },
    trigger: (selector, event, detail) => fire(find(selector), event, detail ?? {}),
    waitFor,
    async waitForText(text, timeoutMs) {
      const shows = () => (typeof text === 'string' ? rendered.text().includes(text) : text.test(rendered.text()));
      await waitFor(shows, `the page to show ${String(text)}; it shows “${rendered.text()}”`, timeoutMs);
    },
    settle,
    async lifecycle(name, ...args) {
      await instance[name]?.(...args);
      await settle();
    },
    wx: wxRecord,
    unmount() {
      const at = mounted.indexOf(rendered);
      if (at < 0) return;
      mounted.splice(at, 1);
      if (kind === 'page') instance.onUnload?.();
      comp.detach();
      parent.remove();
      if (pageStack.includes(instance)) pageStack.splice(pageStack.indexOf(instance), 1);
    },
  };
  mounted.push(rendered);
  return rendered;
}

/** Opens a page as WeChat does: app onLaunch (login) → attached → onLoad(options) → onShow → onReady. */
export function renderPage(path: string, opts: RenderOptions): Promise<Rendered> {
  return mount(routeOf(path), 'page', opts);
}

/** Renders a component of miniprogram/ on its own: renderComponent('custom-tab-bar/index', {...}). */
export function renderComponent(path: string, opts: RenderOptions): Promise<Rendered> {
  return mount(path.replace(/^\//, ''), 'component', opts);
}

/** Detaches everything rendered; after-env.ts calls it after every test. */
export function unmountAll(): void {
  for (const rendered of [...mounted].reverse()) rendered.unmount();
}

export { wxRecord, wxScript, wxStorage, type WxRecord, type WxScript } from './wx-env';
