// The stopped alert (once per card and status change, only for stops after the rule existed), and delivery:
// the subscribe-message sender the cloud entry passes in, and failed sends that are recorded and retried a
// bounded number of times, or never when retrying cannot help.
import {
  subscribeMessageSender,
  type AlertMessage,
  type AlertSender,
  type SendResult,
} from '../../cloudfunctions/shared/services/alert-senders';
import type { Deps } from '../../cloudfunctions/shared/runtime/handler';
import { DEV_DRIVER, DEV_MANAGER, DEV_PLATE, vehicleId } from '../../dev/seed';
import { docs, ok, suiteStack } from '../helpers/admin';
import { outboxFor, ownIccids, setNetwork, tickAlerts, useUpTo } from '../helpers/alerts';

const stack = suiteStack();
let own: string[];
beforeAll(async () => {
  own = await ownIccids(stack());
});

const MINUTE = 60_000;
const saveAlert = (body: Record<string, unknown>) =>
  ok(stack(), 'admin', DEV_MANAGER, { action: 'saveAlert', ...body });
const tick = (deps: Deps = stack().deps) => tickAlerts(deps);

/** A sender that answers as told and remembers what it was asked to send. */
function recordingSender(answer: (message: AlertMessage) => SendResult): AlertSender & { sent: AlertMessage[] } {
  const sent: AlertMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
      return answer(message);
    },
  };
}

describe('stopped', () => {
  test('a card stopped after the rule exists alerts once per status change', async () => {
    const iccid = own[0];
    const rule = await saveAlert({ vehicleId: vehicleId(DEV_PLATE), thresholdMB: 0.01, notify: [DEV_MANAGER] });
    await tick(); // the first sighting of each card is not a change
    expect(await outboxFor(stack(), rule.id, 'stopped')).toHaveLength(0);

    const stopped = await setNetwork(stack(), iccid, 'stop');
    await Promise.all([tick(), tick()]);
    await tick();
    const messages = await outboxFor(stack(), rule.id, 'stopped');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toEqual(
      expect.objectContaining({ to: DEV_MANAGER, page: `pages/card-detail/index?iccid=${iccid}` }),
    );
    expect(messages[0].data).toEqual(
      expect.objectContaining({
        character_string1: { value: iccid },
        thing2: { value: DEV_PLATE },
        thing3: { value: stopped.statusText },
        thing5: { value: '管理员可在小程序里复机' },
      }),
    );

    await setNetwork(stack(), iccid, 'resume');
    await tick();
    expect(await outboxFor(stack(), rule.id, 'stopped')).toHaveLength(1);
    await setNetwork(stack(), iccid, 'stop');
    await tick();
    await tick();
    expect(await outboxFor(stack(), rule.id, 'stopped')).toHaveLength(2);

    // A rule made after the stop does not report it as news.
    const later = await saveAlert({ iccid, thresholdMB: 0.01, notify: [DEV_DRIVER] });
    await tick();
    expect(await outboxFor(stack(), later.id, 'stopped')).toHaveLength(0);
    await ok(stack(), 'admin', DEV_MANAGER, { action: 'deleteAlert', id: rule.id });
    await ok(stack(), 'admin', DEV_MANAGER, { action: 'deleteAlert', id: later.id });
  });
});

describe('delivery', () => {
  test('through subscribe messages: the template id of the kind, the card page, the data', async () => {
    const calls: unknown[] = [];
    const sender = subscribeMessageSender(
      async (request) => {
        calls.push(request);
        return { errCode: 0, errMsg: 'openapi.subscribeMessage.send:ok' };
      },
      { alertTemplates: { lowData: 'TPL-LOW', stopped: 'TPL-STOP', paid: 'TPL-PAID' } },
    );
    const iccid = own[1];
    await useUpTo(stack(), iccid, 0.97);
    const rule = await saveAlert({ iccid, thresholdPercent: 5, notify: [DEV_DRIVER] });
    await tick({ ...stack().deps, alertSender: sender });
    expect(calls).toEqual([
      {
        touser: DEV_DRIVER,
        templateId: 'TPL-LOW',
        page: `pages/card-detail/index?iccid=${iccid}`,
        data: expect.objectContaining({ character_string1: { value: iccid } }),
      },
    ]);
    const [record] = await docs(stack(), 'alertsSent', { ruleId: rule.id });
    expect(record).toEqual(expect.objectContaining({ delivered: [DEV_DRIVER], failed: [], done: true }));
    expect(await outboxFor(stack(), rule.id, 'lowData')).toHaveLength(0);
    await ok(stack(), 'admin', DEV_MANAGER, { action: 'deleteAlert', id: rule.id });
  });

  test('what WeChat refuses (43101: no subscription left) is recorded and never sent again', async () => {
    const sender = recordingSender((m) =>
      m.to === DEV_DRIVER
        ? { ok: false, errCode: 43101, errMsg: 'user refuse to accept the msg', retry: false }
        : { ok: true },
    );
    const iccid = own[2];
    await useUpTo(stack(), iccid, 0.99);
    const rule = await saveAlert({ iccid, thresholdPercent: 5, notify: [DEV_MANAGER, DEV_DRIVER] });
    const base = Date.now();
    await tick({ ...stack().deps, alertSender: sender, now: () => base });
    expect(sender.sent.map((m) => m.to).sort()).toEqual([DEV_DRIVER, DEV_MANAGER].sort());
    const [record] = await docs(stack(), 'alertsSent', { ruleId: rule.id });
    expect(record).toEqual(
      expect.objectContaining({
        delivered: [DEV_MANAGER],
        failed: [{ to: DEV_DRIVER, errCode: 43101, errMsg: 'user refuse to accept the msg' }],
        pending: [],
        done: true,
      }),
    );
    for (const later of [10, 60, 24 * 60]) {
      await tick({ ...stack().deps, alertSender: sender, now: () => base + later * MINUTE });
    }
    expect(sender.sent).toHaveLength(2);
    await ok(stack(), 'admin', DEV_MANAGER, { action: 'deleteAlert', id: rule.id });
  });

  test('a passing failure is tried again later, three times in all, then recorded as failed', async () => {
    let calls = 0;
    const flaky: AlertSender = {
      async send() {
        calls += 1;
        if (calls === 2) throw new Error('socket hang up');
        return { ok: false, errCode: -1, errMsg: 'system error', retry: true };
      },
    };
    const iccid = own[2];
    const rule = await saveAlert({ iccid, thresholdMB: 999_999, notify: [DEV_MANAGER] });
    const base = Date.now();
    const at = (minutes: number) => tick({ ...stack().deps, alertSender: flaky, now: () => base + minutes * MINUTE });
    await at(0);
    await at(1); // too soon to try again
    expect(calls).toBe(1);
    await Promise.all([at(6), at(6)]);
    expect(calls).toBe(2);
    await at(12);
    expect(calls).toBe(3);
    await at(30);
    await at(24 * 60);
    expect(calls).toBe(3);
    const [record] = await docs(stack(), 'alertsSent', { ruleId: rule.id });
    expect(record).toEqual(
      expect.objectContaining({
        attempts: 3,
        pending: [],
        delivered: [],
        failed: [{ to: DEV_MANAGER, errCode: -1, errMsg: 'system error' }],
        done: true,
      }),
    );
  });

  test('the subscribe sender: no template configured, a refusal, and WeChat being busy', async () => {
    let called = 0;
    const message: AlertMessage = { to: 'o-x', kind: 'stopped', data: {}, page: 'pages/x', key: 'k' };
    const unconfigured = subscribeMessageSender(
      async () => {
        called += 1;
      },
      { alertTemplates: { lowData: 'TPL-LOW', stopped: '', paid: '' } },
    );
    expect(await unconfigured.send(message)).toEqual({
      ok: false,
      errCode: 'NO_TEMPLATE',
      errMsg: expect.stringContaining('ALERT_TEMPLATE_STOPPED'),
      retry: false,
    });
    expect(called).toBe(0);

    const failing = (error: unknown) =>
      subscribeMessageSender(
        async () => {
          throw error;
        },
        { alertTemplates: { lowData: 'A', stopped: 'B', paid: 'C' } },
      );
    expect(await failing({ errCode: 43101, errMsg: 'user refuse' }).send(message)).toEqual({
      ok: false,
      errCode: 43101,
      errMsg: 'user refuse',
      retry: false,
    });
    expect(await failing({ errCode: -1, errMsg: 'system busy' }).send(message)).toEqual(
      expect.objectContaining({ errCode: -1, retry: true }),
    );
    expect(await failing(new Error('ETIMEDOUT')).send(message)).toEqual(
      expect.objectContaining({ ok: false, errMsg: 'ETIMEDOUT', retry: true }),
    );
  });
});
