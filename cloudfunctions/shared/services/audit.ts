// The audit trail: who did what to which card or member, when, and how it ended.
import { randomBytes } from 'node:crypto';
import type { Deps } from '../runtime/handler';

export interface AuditEntry {
  _id: string;
  at: number;
  actor: string;
  action: string;
  /** ICCID, openid, order or job the action was about. */
  target: string;
  iccid: string | null;
  outcome: 'ok' | 'failed' | 'rejected';
  detail: Record<string, unknown>;
}

export async function audit(
  deps: Deps,
  entry: Omit<AuditEntry, '_id' | 'at' | 'iccid' | 'detail'> & { iccid?: string; detail?: Record<string, unknown> },
): Promise<void> {
  const at = deps.now();
  await deps.store.insert<AuditEntry>('audit', {
    _id: `${at.toString(36)}-${randomBytes(4).toString('hex')}`,
    at,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    iccid: entry.iccid ?? null,
    outcome: entry.outcome,
    detail: entry.detail ?? {},
  });
}
