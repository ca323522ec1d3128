// Every admin action: a manager may, a driver, field staff and a stranger may not; bad input of every
// kind is INVALID_ARGUMENT (never INTERNAL) and changes nothing.
import { DEV_DRIVER, DEV_MANAGER, DEV_STAFF } from '../../dev/seed';
import { docs, fails, ok, suiteStack } from '../helpers/admin';

const stack = suiteStack();

const ICCID_NOT_ON_PLATFORM = '8986000000000000000';
const huge = 'x'.repeat(100_000);

/** One valid request per action (the batch-job actions are the jobs suites'). */
const VALID: Record<string, Record<string, unknown>> = {
  members: {},
  invite: { role: 'staff' },
  invites: {},
  removeMember: { openid: 'nobody-at-all' },
  vehicles: {},
  saveVehicle: { plate: '粤Z1A2B3', iccids: [], driverOpenids: [] },
  audit: { skip: 0, take: 5 },
  datacards: { skip: 0, take: 5 },
  alerts: {},
  saveAlert: { thresholdPercent: 10, notify: [DEV_MANAGER] },
  deleteAlert: { id: 'no-such-rule' },
};

describe.each(Object.entries(VALID))('admin.%s', (name, body) => {
  test.each([
    ['a driver', DEV_DRIVER],
    ['field staff', DEV_STAFF],
    ['a stranger', 'o-stranger-access'],
  ])('is FORBIDDEN to %s, and changes nothing', async (_who, openid) => {
    const before = {
      vehicles: (await docs(stack(), 'vehicles')).length,
      alerts: (await docs(stack(), 'alerts')).length,
    };
    expect((await fails(stack(), 'admin', openid, { action: name, ...body })).code).toBe('FORBIDDEN');
    expect({
      vehicles: (await docs(stack(), 'vehicles')).length,
      alerts: (await docs(stack(), 'alerts')).length,
    }).toEqual(before);
  });

  test('is allowed to a manager', async () => {
    await ok(stack(), 'admin', DEV_MANAGER, { action: name, ...body });
  });
});

test('without an identity every action answers UNAUTHENTICATED', async () => {
  for (const name of Object.keys(VALID)) {
    expect((await fails(stack(), 'admin', undefined, { action: name, ...VALID[name] })).code).toBe('UNAUTHENTICATED');
  }
});

const BAD: Array<[string, Record<string, unknown>]> = [
  ['members', { extra: 1 }],
  ['invite', {}],
  ['invite', { role: 'boss' }],
  ['invite', { role: 'driver', ttlHours: 0 }],
  ['invite', { role: 'driver', ttlHours: 721 }],
  ['invite', { role: 'driver', ttlHours: 1.5 }],
  ['invite', { role: 'driver', name: huge }],
  ['invite', { role: 'driver', vehicleIds: 'veh-1' }],
  ['invite', { role: 'driver', vehicleIds: ['no-such-vehicle'] }],
  ['invite', { role: 'staff', vehicleIds: ['veh-any'] }],
  ['invites', { role: 'driver' }],
  ['removeMember', {}],
  ['removeMember', { openid: 42 }],
  ['removeMember', { openid: huge }],
  ['vehicles', { plate: '粤B12345' }],
  ['saveVehicle', {}],
  ['saveVehicle', { plate: huge, iccids: [], driverOpenids: [] }],
  ['saveVehicle', { plate: 'ABC', iccids: [], driverOpenids: [] }],
  ['saveVehicle', { plate: '粤Z11111', iccids: ['12345'], driverOpenids: [] }],
  ['saveVehicle', { plate: '粤Z11111', iccids: [ICCID_NOT_ON_PLATFORM], driverOpenids: [] }],
  ['saveVehicle', { plate: '粤Z11111', iccids: Array(201).fill(ICCID_NOT_ON_PLATFORM), driverOpenids: [] }],
  ['saveVehicle', { plate: '粤Z11111', iccids: [], driverOpenids: Array(11).fill(DEV_DRIVER) }],
  ['saveVehicle', { plate: '粤Z11111', iccids: [], driverOpenids: [DEV_STAFF] }],
  ['saveVehicle', { plate: '粤Z11111', iccids: [], driverOpenids: [], remark: huge }],
  ['saveVehicle', { plate: '粤Z11111', iccids: [], driverOpenids: [], owner: DEV_MANAGER }],
  ['audit', { skip: 0 }],
  ['audit', { skip: -1, take: 5 }],
  ['audit', { skip: 0, take: 101 }],
  ['audit', { skip: 0, take: 5, iccid: 'not-an-iccid' }],
  ['datacards', { skip: 0, take: 0 }],
  ['datacards', { skip: 0, take: 5, status: 4 }],
  ['datacards', { skip: 0, take: 5, status: '0' }],
  ['alerts', { enabled: true }],
  ['saveAlert', { thresholdPercent: 10 }],
  ['saveAlert', { thresholdPercent: 10, notify: [] }],
  ['saveAlert', { thresholdPercent: 10, notify: Array(21).fill(DEV_MANAGER) }],
  ['saveAlert', { thresholdPercent: 150, notify: [DEV_MANAGER] }],
  ['saveAlert', { thresholdMB: -5, notify: [DEV_MANAGER] }],
  ['saveAlert', { thresholdMB: 100, thresholdPercent: 10, notify: [DEV_MANAGER] }],
  ['saveAlert', { notify: [DEV_MANAGER] }],
  ['saveAlert', { thresholdMB: 100, notify: ['o-not-a-member'] }],
  ['saveAlert', { thresholdMB: 100, notify: [DEV_MANAGER], iccid: ICCID_NOT_ON_PLATFORM }],
  ['saveAlert', { thresholdMB: 100, notify: [DEV_MANAGER], vehicleId: 'no-such-vehicle' }],
  ['saveAlert', { thresholdMB: 100, notify: [DEV_MANAGER], enabled: 'yes' }],
  ['deleteAlert', {}],
  ['deleteAlert', { id: '' }],
];

test.each(BAD)('admin.%s with bad input %j is INVALID_ARGUMENT with a Chinese sentence', async (name, body) => {
  const before = (await docs(stack(), 'vehicles')).length + (await docs(stack(), 'alerts')).length;
  const error = await fails(stack(), 'admin', DEV_MANAGER, { action: name, ...body });
  expect(error.code).toBe('INVALID_ARGUMENT');
  expect(error.message).toMatch(/[\u4e00-\u9fff]/);
  expect((await docs(stack(), 'vehicles')).length + (await docs(stack(), 'alerts')).length).toBe(before);
});
