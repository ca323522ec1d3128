// mini-program: the main package's bytes (miniprogram/ outside manager/ and miniprogram_npm/, plus the npm
// files the main package really uses: usingComponents followed recursively, and each npm file's own
// requires, <wxs>/<import>/<include>, @import), the manager/ subpackage's bytes, and the largest setData
// while paging through 10,000 cards (a jest run of test/miniprogram/bench-setdata.bench.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { copyNpm } from '../copy-npm';
import { fmtBytes, fmtMs, NONE, type Row } from './report';
import { now } from './util';

const ROOT = join(__dirname, '..', '..');
const MP = join(ROOT, 'miniprogram');
const NPM = join(MP, 'miniprogram_npm');
const MB = 1024 * 1024;

function filesUnder(dir: string, skip: string[] = []): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (skip.includes(path)) return [];
    return entry.isDirectory() ? filesUnder(path, skip) : [path];
  });
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();
const bytesOf = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + statSync(f).size, 0);

/** An npm module as `require` finds it in miniprogram_npm: the file, with .js, or its index.js. */
function resolveModule(base: string): string | null {
  for (const candidate of [base, `${base}.js`, join(base, 'index.js')]) if (isFile(candidate)) return candidate;
  return null;
}

/** What `specifier` (relative, absolute in miniprogram/, or an npm name) names, seen from `fromDir`. */
function target(specifier: string, fromDir: string): string {
  if (specifier.startsWith('.')) return join(fromDir, specifier);
  if (specifier.startsWith('/')) return join(MP, specifier);
  return join(NPM, specifier);
}

/** The npm files `file` pulls in directly. */
function references(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const dir = dirname(file);
  const found: string[] = [];
  const all = (re: RegExp) => [...text.matchAll(re)].map((m) => m[1]);
  if (file.endsWith('.json')) {
    const using = (JSON.parse(text) as { usingComponents?: Record<string, string> }).usingComponents ?? {};
    for (const spec of Object.values(using)) {
      const base = target(spec, dir);
      for (const ext of ['.js', '.json', '.wxml', '.wxss']) if (isFile(base + ext)) found.push(base + ext);
    }
  } else if (file.endsWith('.js') || file.endsWith('.ts') || file.endsWith('.wxs')) {
    const specs = [
      ...all(/require\(\s*['"]([^'"]+)['"]\s*\)/g),
      ...all(/^import\s+(?!type\b)[^'"]*['"]([^'"]+)['"]/gm),
    ];
    for (const spec of specs) {
      // Modules of miniprogram/ itself are counted as its files; only npm names and npm-relative paths here.
      if (file.endsWith('.ts') && spec.startsWith('.')) continue;
      const resolved = file.endsWith('.wxs') ? join(dir, spec) : resolveModule(target(spec, dir));
      if (resolved && isFile(resolved)) found.push(resolved);
    }
  } else if (file.endsWith('.wxml')) {
    for (const spec of all(/<(?:wxs|import|include)\b[^>]*\bsrc=["']([^"']+)["']/g)) found.push(target(spec, dir));
  } else if (file.endsWith('.wxss')) {
    for (const spec of all(/@import\s+['"]([^'"]+)['"]/g)) {
      found.push(target(spec.endsWith('.wxss') ? spec : `${spec}.wxss`, dir));
    }
  }
  return found.filter((f) => f.startsWith(NPM) && isFile(f));
}

/** Every npm file reachable from `roots`. */
function npmClosure(roots: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = roots.flatMap(references);
  while (queue.length) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...references(file));
  }
  return seen;
}

interface SetDataFigure {
  cards: number;
  rows: number;
  pages: number;
  calls: number;
  maxBytes: number;
  rowsSent: number;
  firstPaint: { rows: number; dataBytes: number };
  ms: number;
}

/** The setData figure from its jest run; null with the reason when it could not be measured. */
function measureSetData(): { figure: SetDataFigure | null; why: string; ms: number } {
  const out = join(tmpdir(), `fleet-bench-setdata-${process.pid}.json`);
  const started = now();
  const run = spawnSync('npx', ['jest', '-c', 'scripts/bench/jest.setdata.config.js'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, BENCH_SETDATA_OUT: out },
  });
  const ms = now() - started;
  try {
    if (run.status !== 0 || !existsSync(out)) {
      const tail = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-15).join('\n');
      return { figure: null, why: `jest exited ${run.status ?? run.signal}: ${tail}`, ms };
    }
    return { figure: JSON.parse(readFileSync(out, 'utf8')) as SetDataFigure, why: '', ms };
  } finally {
    rmSync(out, { force: true });
  }
}

export async function benchMiniprogram(): Promise<Row[]> {
  copyNpm(); // miniprogram_npm as 构建 npm leaves it
  const manager = join(MP, 'manager');
  const own = filesUnder(MP, [manager, NPM]);
  const managerFiles = filesUnder(manager);
  const mainNpm = npmClosure(own);
  const managerNpm = [...npmClosure(managerFiles)].filter((f) => !mainNpm.has(f));
  const mainBytes = bytesOf(own) + bytesOf(mainNpm);
  const managerBytes = bytesOf(managerFiles);
  const setData = measureSetData();
  const sd = setData.figure;
  const packageOf = (f: string) => {
    const parts = relative(NPM, f).split('/');
    return parts.slice(0, parts[0].startsWith('@') ? 2 : 1).join('/');
  };
  const npmPackages = [...new Set([...mainNpm].map(packageOf))];
  return [
    {
      figure: 'mini-program main package bytes',
      ours: fmtBytes(mainBytes),
      baseline: NONE,
      ratio: NONE,
      goal: '<= 1.5 MB',
      met: mainBytes <= 1.5 * MB,
      note:
        `${own.length} files of miniprogram/ outside manager/ and miniprogram_npm/ (${fmtBytes(bytesOf(own))}, ` +
        `.ts counted as written: the upload compiles and minifies them, so the real package is smaller) + ` +
        `${mainNpm.size} miniprogram_npm files the main package uses (${fmtBytes(bytesOf(mainNpm))}, from ` +
        `${npmPackages.join(', ')}). ${fmtBytes(1.5 * MB - mainBytes)} below 1.5 MB. Npm files only the ` +
        `manager pages use: ${managerNpm.length} (${fmtBytes(bytesOf(managerNpm))}); WeChat keeps ` +
        `miniprogram_npm in the main package, so counting them too gives ${fmtBytes(mainBytes + bytesOf(managerNpm))}.`,
      values: {
        mainBytes,
        ownBytes: bytesOf(own),
        npmBytes: bytesOf(mainNpm),
        managerOnlyNpmBytes: bytesOf(managerNpm),
      },
    },
    {
      figure: 'mini-program manager/ subpackage bytes',
      ours: fmtBytes(managerBytes),
      baseline: NONE,
      ratio: NONE,
      goal: '<= 2 MB',
      met: managerBytes <= 2 * MB,
      note: `${managerFiles.length} files under miniprogram/manager/.`,
      values: { managerBytes },
    },
    sd
      ? {
          figure: `largest setData paging through ${sd.cards} cards`,
          ours: fmtBytes(sd.maxBytes),
          baseline: NONE,
          ratio: NONE,
          goal: '<= 32 KB',
          met: sd.maxBytes <= 32 * 1024 && sd.rows === sd.cards,
          note:
            `pages/cards as dev-manager (test/miniprogram/bench-setdata.bench.ts, miniprogram-simulate against ` +
            `a dev stack with ${sd.cards} cards), onReachBottom until the end: ${sd.pages} pages, ${sd.calls} ` +
            `setData calls, ${sd.rowsSent} rows sent as list[i] paths; size = UTF-8 bytes of each call's JSON. ` +
            `The first page is drawn (all of its data: ${fmtBytes(sd.firstPaint.dataBytes)}); after it setData ` +
            `is recorded, not drawn (jsdom would take many minutes for 10,000 rows). Jest run ${fmtMs(setData.ms)}.`,
          values: { maxBytes: sd.maxBytes, calls: sd.calls, pages: sd.pages, rows: sd.rows },
        }
      : {
          figure: 'largest setData paging through 10000 cards',
          ours: 'not measured',
          baseline: NONE,
          ratio: NONE,
          goal: '<= 32 KB',
          met: null,
          note: `not measured: ${setData.why}`,
          values: { maxBytes: null },
        },
  ];
}
