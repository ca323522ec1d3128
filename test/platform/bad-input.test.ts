// What the server does with input a careless or hostile client sends: every answer is the platform's JSON
// error, nothing crashes, and one bad client never stalls the others.
import { connect, type Socket } from 'node:net';
import { MAX_BODY_BYTES } from '../../dev/platform/http';
import { DEV, request, startTestEmulator, type EmulatorClient, type Reply } from '../helpers/emulator';

let c: EmulatorClient;
let errors: jest.SpyInstance;
const sockets: Socket[] = [];

beforeAll(async () => {
  c = await startTestEmulator();
  await c.authorize('iot.cardservice.all iot.paymentservice.all');
});

beforeEach(() => {
  // The emulator logs only errors it did not expect: none of these inputs may cause one.
  errors = jest.spyOn(console, 'error');
});

afterEach(() => {
  expect(errors).not.toHaveBeenCalled();
  errors.mockRestore();
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await c?.emulator.close();
});

const headers = () => ({
  'ocp-apim-subscription-key': DEV.subscriptionKey,
  authorization: `Bearer ${c.token}`,
  'content-type': 'application/json',
});

function raw(method: string, path: string, body: string | Buffer): Promise<Reply> {
  return request(c.url, method, path, { raw: body, headers: headers() });
}

function expectPlatformError(reply: Reply, status: number) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  expect(reply.body).toEqual({ code: status, name: expect.any(String), message: expect.any(String) });
}

async function stillAnswers() {
  const reply = await c.api('GET', '/cardservice/flowcards/types');
  expect(reply.status).toBe(200);
}

const someIccid = () => c.emulator.platform.cards.keys().next().value as string;

describe('request bodies', () => {
  it('answers malformed JSON on a POST, PUT or PATCH API route with 422 JSON', async () => {
    const cases: Array<[string, string, string | Buffer]> = [
      ['POST', '/cardservice/flowcards/imports', '{"cards": ['],
      ['POST', '/cardservice/flowcards/imports', "{cards: [{iccid: '8986'}]}"],
      ['POST', '/cardservice/flowcards/imports', ''],
      ['POST', '/cardservice/flowcards/imports', '['.repeat(500_000)],
      ['POST', '/cardservice/flowcards/imports', Buffer.from([0xff, 0xfe, 0x00, 0x7b])],
      ['PATCH', '/cardservice/flowcards', 'iccids=1&set=2'],
      ['PUT', `/cardservice/flowcards/${someIccid()}`, '{"remark": "x",}'],
      ['POST', `/cardservice/flowcards/${someIccid()}/network`, 'stop'],
    ];
    for (const [method, path, body] of cases) {
      const reply = await raw(method, path, body);
      expect({ method, path, status: reply.status }).toEqual({ method, path, status: 422 });
      expectPlatformError(reply, 422);
    }
    await stillAnswers();
  });

  it('answers JSON that is not an object, or has unknown fields, with 422', async () => {
    for (const body of ['null', '[]', '"cards"', '42', '{"__proto__": {"admin": true}, "cards": []}']) {
      expectPlatformError(await raw('POST', '/cardservice/flowcards/imports', body), 422);
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('answers a body over 1 MB with 413 JSON, and keeps answering', async () => {
    const over = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    expect(MAX_BODY_BYTES).toBe(1024 * 1024);
    for (const path of ['/cardservice/flowcards/imports', '/connect/token', '/__sim/faults']) {
      const reply = await raw('POST', path, over);
      expectPlatformError(reply, 413);
      await stillAnswers();
    }
    const huge = await raw('POST', '/cardservice/flowcards/imports', Buffer.alloc(8 * MAX_BODY_BYTES, 0x20));
    expectPlatformError(huge, 413);
    await stillAnswers();
  });

  it('reads a body of exactly 1 MB', async () => {
    const prefix = '{"cards": [], "pad": "';
    const suffix = '"}';
    const exact = prefix + 'x'.repeat(MAX_BODY_BYTES - prefix.length - suffix.length) + suffix;
    expect(Buffer.byteLength(exact)).toBe(MAX_BODY_BYTES);
    const reply = await raw('POST', '/cardservice/flowcards/imports', exact);
    // Read and parsed: the handler refuses the unknown field, not the size.
    expectPlatformError(reply, 422);
    expect(reply.body.message).toContain('pad');
  });

  it('answers a chunked body over 1 MB (no Content-Length) with 413', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        controller.close();
      },
    });
    const res = await fetch(`${c.url}/cardservice/flowcards/imports`, {
      method: 'POST',
      headers: headers(),
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(expect.objectContaining({ code: 413 }));
    await stillAnswers();
  });
});

describe('paging parameters', () => {
  const lists = [
    '/cardservice/flowcards',
    '/cardservice/flowcards/transfers',
    '/cardservice/flowcards/imports',
    '/cardservice/datacards',
  ];

  it.each(lists)('%s refuses take=101, take=0, skip=-1, skip=abc and other non-integers with 422', async (path) => {
    for (const query of [
      'take=101',
      'take=0',
      'take=-5',
      'skip=-1',
      'skip=abc',
      'take=abc',
      'take=1.5',
      'skip=1e3',
      'take=0x10',
    ]) {
      const reply = await c.api('GET', `${path}?${query}`);
      expect({ query, status: reply.status }).toEqual({ query, status: 422 });
      expectPlatformError(reply, 422);
    }
  });

  it.each(lists)('%s takes take=100 and take=1 and pages with skip', async (path) => {
    const all = await c.api('GET', `${path}?take=100`);
    expect(all.status).toBe(200);
    expect(all.body.data.items.length).toBeLessThanOrEqual(100);
    const one = await c.api('GET', `${path}?take=1&skip=0`);
    expect(one.status).toBe(200);
    expect(one.body.data.total).toBe(all.body.data.total);
    expect(one.body.data.items.length).toBe(Math.min(1, all.body.data.total));
  });

  it('answers 20 items by default and never more than 100', async () => {
    const first = await c.api('GET', '/cardservice/flowcards');
    expect(first.status).toBe(200);
    expect(first.body.data.total).toBe(200);
    expect(first.body.data.items).toHaveLength(20);
    const max = await c.api('GET', '/cardservice/flowcards?take=100&skip=150');
    expect(max.body.data.items).toHaveLength(50);
  });
});

describe('paths', () => {
  it('answers a broken percent-escape in a path parameter with a JSON error, not a crash', async () => {
    const reply = await c.api('GET', '/cardservice/flowcards/%E0%A4%A/status');
    expectPlatformError(reply, 404);
  });

  it('answers odd request targets with 404 JSON', async () => {
    for (const path of [
      '//cardservice/flowcards',
      '/cardservice//flowcards',
      '/%2e%2e/connect/token',
      '/cardservice/flowcards/../../__sim/stats',
    ]) {
      const res = await fetch(`${c.url}${path}`, { headers: headers() });
      // fetch may normalise dot segments; whatever arrives, the answer is a platform JSON error or a real route.
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.status).not.toBe(417);
      expect(res.status).toBeLessThan(500);
    }
  });
});

describe('a client that hangs', () => {
  function openSocket(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(c.emulator.port, '127.0.0.1', () => resolve(socket));
      socket.on('error', reject);
      sockets.push(socket);
    });
  }

  it('sending headers and never the body does not hang the server for others', async () => {
    const hung = await openSocket();
    hung.write(
      'POST /cardservice/flowcards/imports HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `ocp-apim-subscription-key: ${DEV.subscriptionKey}\r\nauthorization: Bearer ${c.token}\r\n` +
        'content-type: application/json\r\ncontent-length: 1000\r\n\r\n{"cards": [',
    );
    const slow = await openSocket();
    slow.write('GET /cardservice/flowcards HTTP/1.1\r\nHost: 127.0.0.1\r\nocp-apim-'); // headers never finish

    const replies = await Promise.all(Array.from({ length: 10 }, () => c.api('GET', '/cardservice/flowcards/types')));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect((await c.sim('GET', '/stats')).status).toBe(200);
    expect((await c.api('POST', '/cardservice/flowcards/imports', { cards: 'none' })).status).toBe(422);

    // The hung clients give up: the server must not treat that as its own failure.
    hung.destroy();
    slow.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stillAnswers();
  });
});
