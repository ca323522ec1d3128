// What the list sends to the view when the store's rows change: only the rows that changed, as `list[i]`
// paths, at most a page of rows per setData call; a shrunk list (a refresh, a new filter) starts over with
// at most one page. Pure, so a bench can page through 10,000 cards and weigh every call without a view.
import type { Card } from '../../../typings/api';
import { PAGE_SIZE } from '../../stores/cards';
import { toRow } from './card-row/row';

export function rowPatches(
  shown: readonly Card[],
  rows: readonly Card[],
  selected: ReadonlySet<string>,
  rowsPerCall = PAGE_SIZE,
): Array<Record<string, unknown>> {
  const patches: Array<Record<string, unknown>> = [];
  let base = shown;
  if (rows.length < shown.length) {
    base = rows.slice(0, rowsPerCall);
    patches.push({ list: base.map((c) => toRow(c, selected.has(c.iccid))) });
  }
  let patch: Record<string, unknown> = {};
  let count = 0;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i] === base[i]) continue;
    patch[`list[${i}]`] = toRow(rows[i], selected.has(rows[i].iccid));
    if (++count === rowsPerCall) {
      patches.push(patch);
      patch = {};
      count = 0;
    }
  }
  if (count > 0) patches.push(patch);
  return patches;
}
