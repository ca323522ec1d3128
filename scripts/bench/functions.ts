// functions: `npm run build`'s bundles, each one's bytes and cold require time — a fresh node process per
// sample with wx-server-sdk stubbed by a preload, timing only the bundle's require; median of 5.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, functionNames } from '../build';
import { fmtBytes, fmtMs, NONE, type Row } from './report';
import { median, now } from './util';

const ROOT = join(__dirname, '..', '..');
const STUB = join(__dirname, 'wx-server-sdk-stub.cjs');
const SAMPLES = 5;

/** Milliseconds to require `file` in a fresh node process (with `preload`, if given). */
function coldRequire(file: string, preload?: string): number {
  const script =
    `const { performance } = require('node:perf_hooks'); const t = performance.now(); ` +
    `require(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const args = [...(preload ? ['-r', preload] : []), '-e', script];
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  const ms = Number(run.stdout);
  if (run.status !== 0 || !Number.isFinite(ms)) throw new Error(`require ${file} failed: ${run.stderr}`);
  return ms;
}

const medianOf = (measure: () => number) => median(Array.from({ length: SAMPLES }, measure));

export async function benchFunctions(): Promise<Row[]> {
  const started = now();
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
  const buildMs = now() - started;
  const sdkMs = medianOf(() => coldRequire('wx-server-sdk'));
  const rows: Row[] = [];
  for (const name of functionNames()) {
    const file = join(OUT, name, 'index.js');
    if (!existsSync(file)) throw new Error(`npm run build wrote no ${file}`);
    const bytes = statSync(file).size;
    const ms = medianOf(() => coldRequire(file, STUB));
    rows.push({
      figure: `function ${name}: bundle bytes · cold require`,
      ours: `${fmtBytes(bytes)} · ${fmtMs(ms)}`,
      baseline: NONE,
      ratio: NONE,
      goal: `require < SDK's ${fmtMs(sdkMs)}`,
      met: ms < sdkMs,
      values: { bytes, requireMs: +ms.toFixed(1) },
    });
  }
  rows[0].note =
    `build/cloudfunctions/<name>/index.js after npm run build (${fmtMs(buildMs)}, esbuild, minified, ` +
    `wx-server-sdk external). Cold require: median of ${SAMPLES} fresh node processes, timing require(bundle) ` +
    `only, wx-server-sdk answered by a stub preload (scripts/bench/wx-server-sdk-stub.cjs). Goal from ` +
    `docs/toolchain.md: the SDK's own require (${fmtMs(sdkMs)} here, measured the same way) is the cost a ` +
    `bundle should not exceed.`;
  return rows;
}
