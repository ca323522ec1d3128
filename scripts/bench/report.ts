// The bench's one table: a row per figure (ours, the naive baseline measured in the same run, their ratio,
// the goal and whether it is met), notes under it, and the same as JSON under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Row {
  figure: string;
  ours: string;
  /** The naive way, measured in the same run; '—' when there is none. */
  baseline: string;
  /** ours ÷ baseline (or what the goal compares), as printed. */
  ratio: string;
  goal: string;
  /** null: no goal. */
  met: boolean | null;
  /** How it was measured, settings, caveats: printed under the table. */
  note?: string;
  /** The raw numbers behind the row, for the JSON. */
  values?: Record<string, number | string | boolean | null>;
}

export const NONE = '—';

export function fmtMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

export function fmtBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

export function fmtRatio(ours: number, baseline: number): string {
  if (!Number.isFinite(ours / baseline)) return NONE;
  const r = ours / baseline;
  return r >= 100 || r === 0
    ? `${r.toFixed(0)}×`
    : r >= 0.01
      ? `${r.toPrecision(3)}×`
      : `1/${(baseline / ours).toFixed(0)}`;
}

/** Column widths counted in characters; CJK is avoided in the table so it lines up. */
export function formatTable(rows: Row[]): string {
  const head = ['#', 'figure', 'ours', 'naive baseline', 'ratio', 'goal', 'met?'];
  const cells = rows.map((r, i) => [
    String(i + 1),
    r.figure,
    r.ours,
    r.baseline,
    r.ratio,
    r.goal,
    r.met === null ? NONE : r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const notes = rows.flatMap((r, i) => (r.note ? [`[${i + 1}] ${r.note}`] : []));
  return [line(head), rule, ...cells.map(line), '', ...notes].join('\n');
}

export interface Results {
  date: string;
  machine: Record<string, string>;
  totalSeconds: number;
  rows: Row[];
}

/** Writes bench/results/<date>.json and bench/results/latest.json; answers the dated file's path. */
export function writeResults(results: Results, dir = join(__dirname, '..', '..', 'bench', 'results')): string {
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(results, null, 2)}\n`;
  const file = join(dir, `${results.date.slice(0, 10)}.json`);
  writeFileSync(file, text);
  writeFileSync(join(dir, 'latest.json'), text);
  return file;
}
