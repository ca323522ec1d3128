// A manager list read a page at a time: the first page replaces the list, later pages are appended by
// path (`field[i]`) so a long list never goes to the view in one setData, and an answer that arrives
// after the filter changed is dropped.
import type { Page } from '../../../typings/api';
import { messageOf } from '../../services/feedback';
import { failure } from './failure';

interface View {
  setData(patch: Record<string, unknown>): void;
  data: { total: number };
}

export class Pager<T, R> {
  /** Rows loaded so far: the next page starts here. */
  private count = 0;
  private busy = false;
  private seq = 0;

  constructor(
    private readonly view: View,
    private readonly field: string,
    private readonly fetch: (skip: number) => Promise<Page<T>>,
    private readonly row: (item: T) => R,
  ) {}

  /** The first page for the current filter; `alongside` loads more of the page's data with it. */
  async reload(alongside?: () => Promise<Record<string, unknown>>): Promise<void> {
    const seq = ++this.seq;
    this.busy = true;
    this.view.setData({ loading: true, error: '', moreError: '' });
    try {
      const [page, extra] = await Promise.all([this.fetch(0), alongside ? alongside() : {}]);
      if (seq !== this.seq) return;
      this.count = page.items.length;
      this.view.setData({ ...extra, [this.field]: page.items.map(this.row), total: page.total });
    } catch (error) {
      if (seq === this.seq) this.view.setData({ ...failure(error), [this.field]: [], total: 0 });
    } finally {
      if (seq === this.seq) {
        this.busy = false;
        this.view.setData({ loading: false });
      }
    }
  }

  /** The next page, appended by path; a failure shows under the list and the rows stay. */
  async more(): Promise<void> {
    if (this.busy || this.count >= this.view.data.total) return;
    const seq = this.seq;
    this.busy = true;
    this.view.setData({ moreError: '' });
    try {
      const page = await this.fetch(this.count);
      if (seq !== this.seq) return;
      const patch: Record<string, unknown> = { total: page.total };
      page.items.forEach((item, i) => (patch[`${this.field}[${this.count + i}]`] = this.row(item)));
      this.count += page.items.length;
      this.view.setData(patch);
    } catch (error) {
      if (seq === this.seq) this.view.setData({ moreError: messageOf(error) });
    } finally {
      if (seq === this.seq) this.busy = false;
    }
  }
}
