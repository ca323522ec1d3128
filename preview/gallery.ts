// Every screen `npm run preview` renders, for each role that sees it. Add a row when you add a screen:
// the gallery test renders each row against a seeded dev stack (in CI too), and `npm run preview`
// screenshots it to preview/out/<name>.png. Rows run in order against ONE stack, so a setup that changes
// data (stops a card, pays an order) should pick data no earlier row relies on.
import { createInvite } from '../cloudfunctions/shared/services/members';
import type { Rendered } from '../test/miniprogram/harness';
import type { TestStack } from '../test/helpers/stack';
import { CARDS_GALLERY } from './gallery-cards';
import { PAY_GALLERY } from './gallery-pay';
import { FLEET_GALLERY } from './gallery-fleet';

export type PreviewRole = 'manager' | 'driver' | 'staff' | 'stranger';

export const OPENID: Record<PreviewRole, string> = {
  manager: 'dev-manager',
  driver: 'dev-driver',
  staff: 'dev-staff',
  stranger: 'preview-stranger',
};

export interface GalleryRow {
  /** The page, as renderPage takes it: 'welcome', 'card-detail', 'manager/members/index'. */
  page: string;
  role: PreviewRole;
  /** The file name (without .png); default `<last folder of the page>-<role>`. */
  name?: string;
  /** The page's query. */
  options?: Record<string, string>;
  /** Prepares data through the stack before the page opens; may return the page's query (e.g. an ICCID). */
  setup?: (stack: TestStack) => Promise<Record<string, string> | void>;
  /** After the page opened: bring it into the state to show (tap, input, wait). */
  act?: (page: Rendered, stack: TestStack) => Promise<void>;
  /** Text the page shows once ready; the gallery test waits for it before taking the HTML. */
  shows: string | RegExp;
  /** Draw the role's tab bar under the page (the four tab pages). */
  tabBar?: boolean;
  /** Also copy the PNG into docs/screenshots/ for the README. */
  readme?: boolean;
}

export const GALLERY: GalleryRow[] = [
  { page: 'welcome', role: 'stranger', shows: '加入车队', readme: true },
  {
    page: 'welcome',
    role: 'stranger',
    name: 'welcome-stranger-invite-link',
    setup: async (stack) => ({ invite: (await createInvite(stack.deps, 'dev-manager', { role: 'driver' })).code }),
    shows: '加入车队',
  },
  {
    page: 'welcome',
    role: 'stranger',
    name: 'welcome-stranger-bad-code',
    act: async (page) => {
      await page.input('van-field', 'ZZZZ9999');
      await page.tapText('加入车队');
    },
    shows: '邀请码不存在',
  },
  ...CARDS_GALLERY,
  ...PAY_GALLERY,
  ...FLEET_GALLERY,
];

export const rowName = (row: GalleryRow): string =>
  row.name ??
  `${row.page
    .replace(/\/index$/, '')
    .split('/')
    .at(-1)}-${row.role}`;
