// The app ↔ backend API: every function, action, request and response. Types only: the mini-program
// imports these with `import type`, so nothing here is needed at run time.
import type { CardFix, CardState, Carrier } from './card-status';

export type { CardFix, CardState, Carrier };

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'LOGIN_FAILED'
  | 'INVITE_INVALID'
  | 'CARD_NOT_RESUMABLE'
  | 'PLATFORM_UNAVAILABLE'
  | 'PLATFORM_BUSY'
  | 'PLATFORM_AUTH'
  | 'PLATFORM_FORBIDDEN'
  | 'PLATFORM_REJECTED'
  | 'INTERNAL';

/** Every function answers this: data, or a stable code with a Chinese sentence for the user. */
export type Envelope<T> =
  { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string; details?: Record<string, unknown> } };

export type Role = 'manager' | 'driver' | 'staff';

export interface Member {
  openid: string;
  role: Role;
  name: string;
  /** Vehicles a driver drives (empty for other roles). */
  vehicleIds: string[];
  joinedAt: string;
}

export interface Page<T> {
  total: number;
  items: T[];
}

// ── cards ────────────────────────────────────────────────────────────────────────────────────────────

/** A card as a list row shows it. */
export interface Card {
  iccid: string;
  msisdn: string;
  carrier: Carrier;
  /** The carrier's own code and words (卡状态表). */
  status: number;
  statusText: string;
  /** One normalised state for filters and colours. */
  state: CardState;
  /** For a stopped card: the one action that brings it back. */
  fix: CardFix | null;
  /** A stop or resume asked for and not yet confirmed by the carrier. */
  pending: 'stop' | 'resume' | null;
  realNameStatus: 0 | 1;
  usedMB: number;
  totalMB: number;
  remainingMB: number;
  periodEnd: string;
  /** Whole days until the period ends (0 when it has). */
  daysLeft: number;
  /** When the carrier last reported usage (carrier data is late). */
  dataUpdatedAt: string;
  tags: string[];
  remark: string;
  vehicleId: string | null;
  plate: string | null;
  driverNames: string[];
}

export interface CardDetail extends Card {
  imsi: string;
  packageName: string;
  periodStart: string;
  activatedAt: string | null;
  /** Why the card is stopped and what fixes it, in a sentence; null when it runs. */
  stopReason: string | null;
}

export interface CardFilter {
  keyword?: string;
  state?: CardState;
  carrier?: Carrier;
  tag?: string;
  vehicleId?: string;
  /** Only running cards below the low-data threshold (the summary's 流量不足). */
  lowData?: boolean;
}

export interface CardSummary {
  total: number;
  byState: Record<CardState, number>;
  stopped: number;
  lowData: number;
  arrears: number;
  /** The tags on these cards, most used first (then by name): what the tag filter offers. */
  tags: TagCount[];
  /** When the fleet's cards were last read from the platform. */
  syncedAt: string | null;
}

export interface TagCount {
  name: string;
  count: number;
}

export interface CardList extends Page<Card> {
  /** Where the page came from: the platform itself, or the backend's index of the fleet's cards. */
  source: 'platform' | 'index';
  syncedAt: string | null;
}

export interface Usage {
  iccid: string;
  usedMB: number;
  totalMB: number;
  remainingMB: number;
  periodStart: string;
  periodEnd: string;
  updatedAt: string;
  /** Average MB a day over the last snapshots, or null without enough history. */
  dailyMB: number | null;
  /** "Runs out in about N days", or null when it cannot be told. */
  forecastDaysLeft: number | null;
}

export interface UsagePoint {
  date: string;
  usedMB: number;
  totalMB: number;
}

export interface Location {
  iccid: string;
  /** GCJ-02, ready for a WeChat map. */
  lng: number;
  lat: number;
  radius: number;
  locatedAt: string;
  coordType: 'gcj02';
  plate: string | null;
  state: CardState;
}

export interface RealName {
  iccid: string;
  realNameStatus: 0 | 1;
  name: string | null;
  idNumber: string | null;
  boundAt: string | null;
}

export interface NetworkRequested {
  iccid: string;
  pending: 'stop' | 'resume';
  requestId: string;
}

// ── pay ──────────────────────────────────────────────────────────────────────────────────────────────

export interface ProductCategory {
  id: string;
  name: string;
}

export interface Product {
  id: string;
  name: string;
  categoryId: string;
  dataMB: number;
  validDays: number;
  priceFen: number;
}

export interface PayParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

/** created → paid → applied, or closed / failed. */
export type OrderState = 'created' | 'paid' | 'applied' | 'closed' | 'failed';

export interface Order {
  outTradeNo: string;
  iccid: string;
  plate: string | null;
  productId: string;
  productName: string;
  amountFen: number;
  state: OrderState;
  openid: string;
  payerName: string;
  createdAt: string;
  paidAt: string | null;
}

export interface OrderStats {
  from: string;
  to: string;
  totalFen: number;
  count: number;
  days: Array<{ date: string; count: number; amountFen: number }>;
  months: Array<{ month: string; count: number; amountFen: number }>;
}

// ── admin ────────────────────────────────────────────────────────────────────────────────────────────

export interface Invite {
  code: string;
  role: Role;
  vehicleIds: string[];
  name: string;
  expiresAt: string;
  /** What a QR code for this invite carries (the mini-program path with the code). */
  qrPayload: string;
  usedBy: string | null;
}

export interface Vehicle {
  id: string;
  plate: string;
  iccids: string[];
  driverOpenids: string[];
  driverNames: string[];
  remark: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  actorName: string;
  action: string;
  target: string;
  iccid: string | null;
  outcome: 'ok' | 'failed' | 'rejected';
  detail: Record<string, unknown>;
}

export type JobKind = 'stop' | 'resume' | 'tag';
export type JobState = 'queued' | 'running' | 'done';

export interface Job {
  id: string;
  kind: JobKind;
  state: JobState;
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  reason: string;
  tags: string[];
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
}

export interface JobItem {
  iccid: string;
  outcome: 'pending' | 'ok' | 'failed' | 'skipped';
  message: string | null;
}

export interface JobDetail extends Job {
  /** Cards that did not succeed (failed or skipped), with why. */
  problems: JobItem[];
}

export interface DataCard {
  id: string;
  cardNo: string;
  productId: string;
  dataMB: number;
  status: 0 | 1 | 2 | 3;
  statusText: string;
  expireAt: string;
}

export type AlertKind = 'lowData' | 'stopped' | 'paid';

export interface AlertRule {
  id: string;
  /** One card, one vehicle, or the whole fleet (both null). */
  iccid: string | null;
  vehicleId: string | null;
  thresholdMB: number | null;
  thresholdPercent: number | null;
  /** Members who are told. */
  notify: string[];
  enabled: boolean;
}

// ── the API table ────────────────────────────────────────────────────────────────────────────────────

type Empty = Record<string, never>;
type Paging = { skip: number; take: number };

/** Actions of each function: request → response. */
export interface Api {
  login: {
    login: { req: { code: string }; res: { member: Member | null } };
    redeemInvite: { req: { code: string }; res: { member: Member } };
    me: { req: Empty; res: { member: Member | null } };
  };
  cards: {
    list: { req: Paging & CardFilter; res: CardList };
    summary: { req: Empty; res: CardSummary };
    detail: { req: { iccid: string }; res: CardDetail };
    usage: { req: { iccid: string }; res: Usage };
    history: { req: { iccid: string; days: number }; res: { iccid: string; points: UsagePoint[] } };
    setNetwork: { req: { iccid: string; op: 'stop' | 'resume'; reason: string }; res: NetworkRequested };
    location: { req: { iccid: string }; res: Location };
    locations: { req: Empty; res: { items: Location[]; missing: number } };
    realName: { req: { iccid: string }; res: RealName };
    update: {
      req: { iccid: string; remark?: string; tags?: string[]; vehicleId?: string | null };
      res: CardDetail;
    };
    lookup: { req: { code: string }; res: { iccid: string; card: Card } };
  };
  pay: {
    categories: { req: Empty; res: ProductCategory[] };
    products: { req: { iccid: string }; res: { card: Card; categories: ProductCategory[]; products: Product[] } };
    create: { req: { iccid: string; productId: string }; res: { outTradeNo: string; payParams: PayParams } };
    order: { req: { outTradeNo: string }; res: Order };
    /** The payer's own unpaid order, to pay now: the same pay sheet parameters as when it was created. */
    resume: { req: { outTradeNo: string }; res: { outTradeNo: string; payParams: PayParams } };
    /** The payer left the pay sheet: their unpaid order is closed (a payment that got through is kept). */
    cancel: { req: { outTradeNo: string }; res: Order };
    orders: { req: Paging; res: Page<Order> };
    stats: { req: { from: string; to: string }; res: OrderStats };
    /** Dev mode only: what the payer does in the WeChat Pay sheet (the emulator's /__sim/pay). */
    devPay: { req: { outTradeNo: string; result: 'success' | 'cancel' | 'fail' }; res: Order };
  };
  admin: {
    members: { req: Empty; res: Member[] };
    invite: { req: { role: Role; vehicleIds?: string[]; name?: string; ttlHours?: number }; res: Invite };
    invites: { req: Empty; res: Invite[] };
    removeMember: { req: { openid: string }; res: { removed: boolean } };
    vehicles: { req: Empty; res: Vehicle[] };
    saveVehicle: {
      req: { id?: string; plate: string; iccids: string[]; driverOpenids: string[]; remark?: string };
      res: Vehicle;
    };
    audit: { req: Paging & { iccid?: string }; res: Page<AuditEntry> };
    startJob: { req: { kind: JobKind; iccids: string[]; reason?: string; tags?: string[] }; res: Job };
    job: { req: { jobId: string }; res: JobDetail };
    jobs: { req: Empty; res: Job[] };
    datacards: { req: Paging & { status?: 0 | 1 | 2 | 3 }; res: Page<DataCard> };
    alerts: { req: Empty; res: AlertRule[] };
    saveAlert: {
      req: {
        id?: string;
        iccid?: string | null;
        vehicleId?: string | null;
        thresholdMB?: number | null;
        thresholdPercent?: number | null;
        notify: string[];
        enabled?: boolean;
      };
      res: AlertRule;
    };
    deleteAlert: { req: { id: string }; res: { removed: boolean } };
  };
}

export type FunctionName = keyof Api;
export type ActionName<F extends FunctionName> = keyof Api[F] & string;
export type Req<F extends FunctionName, A extends ActionName<F>> = Api[F][A] extends { req: infer R } ? R : never;
export type Res<F extends FunctionName, A extends ActionName<F>> = Api[F][A] extends { res: infer R } ? R : never;
