// `npm run bench`: every figure of issue 6 in one table, each beside the naive baseline measured in the
// same run where there is one; written to bench/results/<date>.json and bench/results/latest.json.
// Every server binds 127.0.0.1 on a free port and is stopped; every loop and wait is bounded.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { relative } from 'node:path';
import { benchBatch } from './batch';
import { benchCards } from './cards';
import { benchFunctions } from './functions';
import { benchLoad } from './load';
import { benchMiniprogram } from './miniprogram';
import { benchPayment } from './payment';
import { formatTable, fmtMs, writeResults, NONE, type Row } from './report';
import { benchToken } from './token';
import { now } from './util';

const FIGURES: Array<[string, () => Promise<Row[]>]> = [
  ['token', benchToken],
  ['cards', benchCards],
  ['batch', benchBatch],
  ['payment', benchPayment],
  ['load', benchLoad],
  ['functions', benchFunctions],
  ['mini-program', benchMiniprogram],
];

/** `free -h`'s Mem line as "23Gi total, 20Gi available". */
function memory(free: string): string {
  const [, total, , , , , available] =
    free
      .split('\n')
      .find((l) => l.startsWith('Mem:'))
      ?.split(/\s+/) ?? [];
  return total ? `${total} total, ${available ?? '?'} available (free -h)` : 'unknown';
}

function machine(): Record<string, string> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    nproc: sh('nproc', []),
    memory: memory(sh('free', ['-h'])),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
}

/** The servers' own log lines (notifications, duplicates) would bury the table: counted, not printed. */
function quietLogs(): { count: () => number; restore: () => void } {
  let count = 0;
  const saved = { log: console.log, info: console.info, warn: console.warn };
  const drop = () => void (count += 1);
  Object.assign(console, { log: drop, info: drop, warn: drop });
  return { count: () => count, restore: () => Object.assign(console, saved) };
}

async function main(): Promise<void> {
  const started = now();
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const about = machine();
  print(`npm run bench on ${about.nproc} CPU(s) (${about.cpu}), ${about.memory}, Node ${about.node}`);
  // `npm run bench -- load payment` runs only those figures, and writes no results file.
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !FIGURES.some(([known]) => known === name));
  if (unknown.length)
    throw new Error(`unknown figure ${unknown.join(', ')}; known: ${FIGURES.map(([n]) => n).join(', ')}`);
  const rows: Row[] = [];
  const logs = quietLogs();
  try {
    for (const [name, figure] of FIGURES.filter(([known]) => only.length === 0 || only.includes(known))) {
      const t = now();
      try {
        rows.push(...(await figure()));
        print(`  ${name}: ${fmtMs(now() - t)}`);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        rows.push({ figure: name, ours: 'failed', baseline: NONE, ratio: NONE, goal: NONE, met: false, note: why });
        print(`  ${name}: FAILED after ${fmtMs(now() - t)}: ${why.split('\n')[0]}`);
      }
    }
  } finally {
    logs.restore();
  }
  const totalSeconds = Math.round((now() - started) / 100) / 10;
  print('');
  print(formatTable(rows));
  const met = rows.filter((r) => r.met === true).length;
  const missed = rows.filter((r) => r.met === false).length;
  print('');
  print(`${met} goals met, ${missed} missed; ${logs.count()} server log lines not shown.`);
  if (only.length === 0) {
    const file = writeResults({ date: new Date().toISOString(), machine: about, totalSeconds, rows });
    print(`Written to ${relative(process.cwd(), file)} and bench/results/latest.json. Total: ${totalSeconds} s.`);
  } else {
    print(`Only ${only.join(', ')}: no results file written. Total: ${totalSeconds} s.`);
  }
  if (rows.some((r) => r.ours === 'failed')) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
