// Loading a page of miniprogram/ as WeChat would: fresh modules (so stores are new), the npm components
// where 构建 npm puts them, app.ts launched first, the configuration pointed at the dev host.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { AppConfig } from '../../miniprogram/config';
import { simulate } from './simulate';

export const MINIPROGRAM = join(__dirname, '..', '..', 'miniprogram');
const VANT = '@vant/weapp/';

/** `welcome` → `pages/welcome/index`; `manager/members/index` and `custom-tab-bar/index` stay as they are. */
export function routeOf(path: string): string {
  const route = path.replace(/^\//, '');
  return route.includes('/') ? route : `pages/${route}/index`;
}

const readJson = (file: string): any => JSON.parse(readFileSync(file, 'utf8'));

/** Every Vant tag the component, its own components and app.json use, mapped into miniprogram_npm. */
export function vantOverrides(route: string): Record<string, string> {
  const map: Record<string, string> = {};
  const seen = new Set<string>();
  const walk = (componentPath: string, using: Record<string, string>) => {
    for (const [tag, target] of Object.entries(using)) {
      if (target.startsWith(VANT)) {
        map[tag] = `/miniprogram_npm/${target}`;
        continue;
      }
      const next = target.startsWith('/') ? join(MINIPROGRAM, target) : join(dirname(componentPath), target);
      if (seen.has(next)) continue;
      seen.add(next);
      walk(next, readJson(`${next}.json`).usingComponents ?? {});
    }
  };
  walk(join(MINIPROGRAM, 'app'), readJson(join(MINIPROGRAM, 'app.json')).usingComponents ?? {});
  const own = join(MINIPROGRAM, route);
  walk(own, readJson(`${own}.json`).usingComponents ?? {});
  return map;
}

/** Folders whose modules a test can reach with mod(): every store, service and util, as the page sees them. */
const SHARED_DIRS = ['stores', 'services', 'utils'];
const tsFiles = (dir: string): string[] =>
  existsSync(join(MINIPROGRAM, dir))
    ? readdirSync(join(MINIPROGRAM, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    : [];

export type ModuleOf = <T = any>(path: string) => T;

export interface Loaded {
  /** simulate's id for render(). */
  id: string;
  /** App() options of app.ts, when launched. */
  app: any;
  /** A module of miniprogram/ as this page sees it: mod('stores/session'). */
  mod: ModuleOf;
  /** What `before` returned (awaited by the caller). */
  before: unknown;
}

export interface LoadOptions {
  route: string;
  tagName: string;
  devHost: string;
  openid: string;
  launch: boolean;
  before?: (mod: ModuleOf) => unknown;
}

/** Loads config, app.ts (captured, not launched), the page, and every store, all in one isolation. */
export function loadIsolated(opts: LoadOptions): Loaded {
  const modules = new Map<string, unknown>();
  const key = (path: string) => posix.normalize(path).replace(/\.ts$/, '');
  let loaded: Loaded | undefined;
  jest.isolateModules(() => {
    const load: ModuleOf = (path) => {
      const k = key(path);
      if (!modules.has(k)) modules.set(k, require(join(MINIPROGRAM, k))); // eslint-disable-line @typescript-eslint/no-require-imports
      return modules.get(k) as any;
    };
    load<{ configure(patch: Partial<AppConfig>): void }>('config').configure({
      transport: 'http',
      devHost: opts.devHost,
      devOpenid: opts.openid,
    });
    let app: any = null;
    if (opts.launch) {
      (globalThis as any).App = (definition: unknown) => (app = definition);
      (globalThis as any).getApp = () => app;
      load('app');
    }
    const before = opts.before?.(load);
    const id = simulate.load(join(MINIPROGRAM, opts.route), opts.tagName, {
      rootPath: MINIPROGRAM,
      usingComponents: vantOverrides(opts.route),
    });
    // The same instances the page imported (or fresh ones it did not need), for the test to read and drive.
    for (const dir of SHARED_DIRS) for (const file of tsFiles(dir)) load(`${dir}/${file}`);
    const mod: ModuleOf = (path) => {
      if (!modules.has(key(path))) throw new Error(`${key(path)} was not loaded with this page: load it in \`before\``);
      return modules.get(key(path)) as any;
    };
    loaded = { id, app, mod, before };
  });
  return loaded!;
}
