// The alert timer: for every enabled rule and each card it covers (as the card index last saw it), tell the
// rule's members when the card runs low on data — once per card, rule and period — or when it has just been
// stopped — once per card and status change. Each alert is claimed by inserting its key, so two ticks at
// the same moment cannot both send it; a delivery that failed for a passing reason is tried again a few
// times, one that cannot succeed (no subscription left, bad openid) is recorded and left.
import type { CardFix, CardState } from '../../../typings/api';
import { cardState, carrierStatus } from '../../../typings/card-status';
import type { Budget, CronTask } from '../functions/cron';
import type { Deps } from '../runtime/handler';
import { DuplicateKeyError, type Doc } from '../store/store';
import {
  outboxSender,
  shanghaiTime,
  thing,
  type AlertKind,
  type AlertSender,
  type MessageData,
  type SendResult,
} from './alert-senders';
import type { AlertRuleDoc } from './alert-rules';
import { remainingMB, type CardDoc } from './cards';
import { findAll, fleetIndex, type FleetIndex } from './vehicles';

export interface AlertSentDoc extends Doc {
  ruleId: string;
  iccid: string;
  kind: AlertKind;
  /** lowData: the card's periodEnd; stopped: when the stop was noticed. */
  period: string;
  data: MessageData;
  page: string;
  createdAt: number;
  attempts: number;
  lastAttemptAt: number;
  /** Recipients still to be told (a passing failure), told, and given up on with why. */
  pending: string[];
  delivered: string[];
  failed: Array<{ to: string; errCode: number | string; errMsg: string }>;
  done: boolean;
}

export interface AlertWatchDoc extends Doc {
  state: CardState;
  status: number;
  /** When this state was first seen. */
  since: number;
  /** false for the first sighting: a card already stopped then was not "just stopped". */
  changed: boolean;
}

const MAX_ATTEMPTS = 3;
const RETRY_AFTER_MS = 5 * 60_000;
/** Left for the writes that close a tick's last send. */
const BUDGET_MARGIN_MS = 300;
const STOPPED: ReadonlySet<CardState> = new Set(['suspended', 'arrears']);
const CARD_PAGE = 'pages/card-detail/index';

/** The rule's threshold reached: MB left, or percent of the period's data left. Only running cards. */
export function belowThreshold(rule: AlertRuleDoc, card: CardDoc): boolean {
  if (card.state !== 'active' || card.totalMB <= 0) return false;
  const left = remainingMB(card);
  if (rule.thresholdMB !== null) return left <= rule.thresholdMB;
  // MB come with two decimals: exactly 90% used must count as 10% left, whatever the rounding.
  return rule.thresholdPercent !== null && (left / card.totalMB) * 100 <= rule.thresholdPercent + 1e-9;
}

function coveredCards(rule: AlertRuleDoc, cards: Map<string, CardDoc>, fleet: FleetIndex): CardDoc[] {
  const pick = (iccids: string[]) => iccids.flatMap((iccid) => cards.get(iccid) ?? []);
  if (rule.iccid) return pick([rule.iccid]);
  if (rule.vehicleId) return pick(fleet.vehicles.find((v) => v._id === rule.vehicleId)?.iccids ?? []);
  return [...cards.values()];
}

function lowDataMessage(card: CardDoc, plate: string | undefined): MessageData {
  const left = remainingMB(card);
  return {
    character_string1: { value: card.iccid },
    thing2: thing(plate ?? '未绑定车辆'),
    thing3: thing(`剩余${left}MB，约${Math.floor((left / card.totalMB) * 100)}%`),
    time4: { value: shanghaiTime(Date.parse(card.periodEnd)) },
    thing5: thing('流量即将用完，请及时充值'),
  };
}

const FIX_HINTS: Record<CardFix, string> = {
  recharge: '充值后自动恢复',
  resume: '管理员可在小程序里复机',
  realName: '完成实名认证后可复机',
  carrier: '需联系运营商处理',
};

function stoppedMessage(card: CardDoc, plate: string | undefined, since: number): MessageData {
  const { fix } = cardState(card);
  return {
    character_string1: { value: card.iccid },
    thing2: thing(plate ?? '未绑定车辆'),
    thing3: thing(card.statusText || carrierStatus(card.carrier, card.status).text),
    time4: { value: shanghaiTime(since) },
    thing5: thing(fix ? FIX_HINTS[fix] : '请查看卡详情'),
  };
}

/** Sends to whoever is still pending; records who got it, who will be tried again and who never will. */
async function attempt(deps: Deps, sender: AlertSender, doc: AlertSentDoc): Promise<void> {
  const pending: string[] = [];
  const delivered = [...doc.delivered];
  const failed = [...doc.failed];
  for (const to of doc.pending) {
    let result: SendResult;
    try {
      result = await sender.send({ to, kind: doc.kind, data: doc.data, page: doc.page, key: doc._id });
    } catch (error) {
      result = { ok: false, errCode: 'EXCEPTION', errMsg: String(error).slice(0, 200), retry: true };
    }
    if (result.ok) delivered.push(to);
    else if (result.retry && doc.attempts < MAX_ATTEMPTS) pending.push(to);
    else failed.push({ to, errCode: result.errCode, errMsg: result.errMsg });
  }
  await deps.store.update(
    'alertsSent',
    doc._id,
    { pending, delivered, failed, done: pending.length === 0 },
    { attempts: doc.attempts },
  );
}

/** An alert a rule calls for, with who is told. */
type Candidate = Pick<AlertSentDoc, '_id' | 'ruleId' | 'iccid' | 'kind' | 'period' | 'data'> & { notify: string[] };

/** Claims the alert by its key; only the claimant sends. */
async function sendOnce(deps: Deps, sender: AlertSender, alert: Candidate): Promise<boolean> {
  const now = deps.now();
  const { notify, ...rest } = alert;
  const doc: AlertSentDoc = {
    ...rest,
    page: `${CARD_PAGE}?iccid=${alert.iccid}`,
    createdAt: now,
    attempts: 1,
    lastAttemptAt: now,
    pending: notify,
    delivered: [],
    failed: [],
    done: false,
  };
  try {
    await deps.store.insert('alertsSent', doc);
  } catch (error) {
    if (error instanceof DuplicateKeyError) return false;
    throw error;
  }
  await attempt(deps, sender, doc);
  return true;
}

/** The card's state as this tick sees it, and whether it changed since the last sighting. */
async function observe(deps: Deps, card: CardDoc, seen: AlertWatchDoc | undefined): Promise<AlertWatchDoc> {
  let doc = seen;
  for (let tries = 0; tries < 5; tries++) {
    if (!doc) {
      const first: AlertWatchDoc = {
        _id: card.iccid,
        state: card.state,
        status: card.status,
        since: deps.now(),
        changed: false,
      };
      try {
        await deps.store.insert('alertWatch', first);
        return first;
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error;
      }
    } else {
      if (doc.state === card.state && doc.status === card.status) return doc;
      const next = { state: card.state, status: card.status, since: deps.now(), changed: true };
      const expect = { state: doc.state, status: doc.status, since: doc.since };
      if (await deps.store.update('alertWatch', card.iccid, next, expect)) return { ...doc, ...next };
    }
    // Another tick wrote first: its sighting is the one to use.
    doc = (await deps.store.get<AlertWatchDoc>('alertWatch', card.iccid)) ?? undefined;
  }
  return doc as AlertWatchDoc;
}

async function retryPassingFailures(deps: Deps, sender: AlertSender, budget: Budget): Promise<number> {
  const now = deps.now();
  const due = await deps.store.find<AlertSentDoc>(
    'alertsSent',
    { done: false, lastAttemptAt: { lt: now - RETRY_AFTER_MS } },
    { take: 50 },
  );
  let retried = 0;
  for (const doc of due) {
    if (budget.left() < BUDGET_MARGIN_MS) break;
    const next = { attempts: doc.attempts + 1, lastAttemptAt: now };
    if (!(await deps.store.update('alertsSent', doc._id, next, { attempts: doc.attempts, done: false }))) continue;
    await attempt(deps, sender, { ...doc, ...next });
    retried += 1;
  }
  return retried;
}

/**
 * Every alert the rules call for now, sent or not, recording each card's state as it goes; `unfinished`
 * when time ran out first (what was recorded stays, and the next tick goes on from there).
 */
async function alertsDue(
  deps: Deps,
  rules: AlertRuleDoc[],
  budget: Budget,
): Promise<{ due: Candidate[]; unfinished: boolean }> {
  const [cards, fleet, watched] = await Promise.all([
    findAll<CardDoc>(deps, 'cards'),
    fleetIndex(deps),
    findAll<AlertWatchDoc>(deps, 'alertWatch'),
  ]);
  const byIccid = new Map(cards.map((c) => [c.iccid, c]));
  const seen = new Map(watched.map((w) => [w._id, w]));
  const due: Candidate[] = [];
  for (const rule of rules) {
    for (const card of coveredCards(rule, byIccid, fleet)) {
      const plate = fleet.vehicleOf(card.iccid)?.plate;
      const base = { ruleId: rule._id, iccid: card.iccid, notify: rule.notify };
      if (belowThreshold(rule, card)) {
        const data = lowDataMessage(card, plate);
        const key = `${rule._id}:${card.iccid}:${card.periodEnd}`;
        due.push({ ...base, _id: key, kind: 'lowData', period: card.periodEnd, data });
      }
      let sighting = seen.get(card.iccid);
      if (!sighting || sighting.state !== card.state || sighting.status !== card.status) {
        if (budget.left() < BUDGET_MARGIN_MS) return { due, unfinished: true };
        sighting = await observe(deps, card, sighting);
        seen.set(card.iccid, sighting);
      }
      if (sighting.changed && STOPPED.has(sighting.state) && sighting.since >= rule.createdAt) {
        const data = stoppedMessage(card, plate, sighting.since);
        const key = `${rule._id}:${card.iccid}:stopped:${sighting.since}`;
        due.push({ ...base, _id: key, kind: 'stopped', period: new Date(sighting.since).toISOString(), data });
      }
    }
  }
  return { due, unfinished: false };
}

/** Those not claimed yet: one query per hundred keys, not a failed insert per alert per tick. */
async function notYetSent(deps: Deps, due: Candidate[]): Promise<Candidate[]> {
  const claimed = new Set<string>();
  for (let i = 0; i < due.length; i += 100) {
    const ids = due.slice(i, i + 100).map((c) => c._id);
    for (const doc of await deps.store.find<AlertSentDoc>('alertsSent', { _id: { in: ids } }, { take: 100 })) {
      claimed.add(doc._id);
    }
  }
  return due.filter((c) => !claimed.has(c._id));
}

export const sendAlertsTask: CronTask = {
  name: 'sendAlerts',
  async run(deps, budget) {
    const sender = deps.alertSender ?? outboxSender(deps);
    const rules = (await findAll<AlertRuleDoc>(deps, 'alerts')).filter((r) => r.enabled && r.notify.length > 0);
    const report = { rules: rules.length, lowData: 0, stopped: 0, paid: 0, retried: 0, unfinished: false };
    const { due, unfinished } = rules.length ? await alertsDue(deps, rules, budget) : { due: [], unfinished: false };
    report.unfinished = unfinished;
    for (const alert of await notYetSent(deps, due)) {
      if (budget.left() < BUDGET_MARGIN_MS) {
        report.unfinished = true;
        break;
      }
      if (await sendOnce(deps, sender, alert)) report[alert.kind] += 1;
    }
    report.retried = await retryPassingFailures(deps, sender, budget);
    return report;
  },
};
