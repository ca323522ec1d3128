// The carriers' status tables (卡状态表) and their normalised states, checked against the seed's own words,
// and the default demo fleet checked for covering them with realistic ICCIDs.
import { CARRIER_STATUS, cardState, carrierStatus, type CardState, type Carrier } from '../../typings/card-status';
import { startTestEmulator, type EmulatorClient } from '../helpers/emulator';

/**
 * Copied from platform-docs.txt (卡状态表), code and words as the seed prints them. Two readings follow
 * docs/platform-contract.md: cmcc 1 appears twice in the seed (单向停机 and 停机) and is taken as 单向停机;
 * cmcc 7 is printed "待激", cut short, and the contract reads it as 待激活.
 */
const SEED_TABLE: Record<Carrier, Array<[number, string]>> = {
  cmcc: [
    [0, '正常'],
    [1, '单向停机'],
    [2, '停机'],
    [3, '预销号'],
    [4, '销号'],
    [5, '过户'],
    [6, '休眠'],
    [7, '待激活'],
    [99, '号码不存在'],
  ],
  ctcc: [
    [-1, '未知'],
    [1, '在用'],
    [2, '用户报停'],
    [3, '用户拆机'],
    [5, '欠停(双向)'],
    [6, '欠停(单向)'],
    [7, '违章停机'],
    [8, '挂失'],
    [11, '施工未完'],
    [19, '活卡待激活'],
    [120000, '停机'],
    [100001, '已激活(测试期)'],
    [140003, '未激活(测试期)'],
    [150001, '未实名制违规停机'],
    [140000, '预拆机停机'],
    [160000, '数据异常停机'],
    [170000, '局方原因停机'],
  ],
  cucc: [
    [1, '已激活'],
    [2, '已停用'],
    [3, '可测试'],
    [4, '库存'],
    [5, '体验'],
    [6, '可激活'],
    [7, '已失效'],
    [8, '已清除'],
    [9, '无'],
    [10, '当前账期'],
    [11, '一直'],
  ],
};

const CARRIERS: Carrier[] = ['cmcc', 'cucc', 'ctcc'];
const STATES: CardState[] = ['active', 'suspended', 'arrears', 'inactive', 'closed', 'unknown'];
const CASES = CARRIERS.flatMap((carrier) => SEED_TABLE[carrier].map(([code, text]) => ({ carrier, code, text })));

/** ICCID issuer prefixes: 89 (telecom) 86 (China) + the operator's two digits. */
const ICCID_PREFIXES: Record<Carrier, string[]> = {
  cmcc: ['898600', '898602', '898604', '898607', '898608'],
  cucc: ['898601', '898606', '898609', '898610'],
  ctcc: ['898603', '898605', '898611'],
};

/** Luhn over the whole number, check digit included: written here so a wrong generator fails. */
function luhnValid(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

describe('the status tables', () => {
  it('has exactly the seed codes for every carrier', () => {
    for (const carrier of CARRIERS) {
      const actual = Object.keys(CARRIER_STATUS[carrier])
        .map(Number)
        .sort((a, b) => a - b);
      const expected = SEED_TABLE[carrier].map(([code]) => code).sort((a, b) => a - b);
      expect({ carrier, codes: actual }).toEqual({ carrier, codes: expected });
    }
  });

  it.each(CASES)('$carrier $code is "$text" with one of the six states', ({ carrier, code, text }) => {
    const status = carrierStatus(carrier, code);
    expect(status.text).toBe(text);
    expect(STATES).toContain(status.state);
  });

  it('gives a stopped card the one action that brings it back, and no other card an action', () => {
    for (const { carrier, code } of CASES) {
      const { state, fix } = carrierStatus(carrier, code);
      const label = `${carrier} ${code}`;
      if (state === 'suspended')
        expect({ label, fix }).toEqual({ label, fix: expect.stringMatching(/^(resume|realName|carrier)$/) });
      else if (state === 'arrears') expect({ label, fix }).toEqual({ label, fix: 'recharge' });
      else expect({ label, fix }).toEqual({ label, fix: undefined });
    }
  });

  it('reads the carriers the way the contract does', () => {
    // 欠停: stopped for money, back by recharge.
    for (const code of [5, 6])
      expect(carrierStatus('ctcc', code)).toEqual(expect.objectContaining({ state: 'arrears', fix: 'recharge' }));
    // 未实名制违规停机: back by real-name first.
    expect(carrierStatus('ctcc', 150001)).toEqual(expect.objectContaining({ state: 'suspended', fix: 'realName' }));
    // The normal state of each carrier, and what a stop through the API yields, can be resumed.
    expect(carrierStatus('cmcc', 0).state).toBe('active');
    expect(carrierStatus('ctcc', 1).state).toBe('active');
    expect(carrierStatus('cucc', 1).state).toBe('active');
    for (const [carrier, code] of [
      ['cmcc', 2],
      ['ctcc', 120000],
      ['cucc', 2],
    ] as const) {
      expect(carrierStatus(carrier, code)).toEqual(expect.objectContaining({ state: 'suspended', fix: 'resume' }));
    }
    // Cancelled or transferred away.
    for (const [carrier, code] of [
      ['cmcc', 4],
      ['cmcc', 5],
      ['ctcc', 3],
      ['cucc', 8],
    ] as const) {
      expect(carrierStatus(carrier, code).state).toBe('closed');
    }
    // Stock, test, waiting for activation.
    for (const [carrier, code] of [
      ['cmcc', 7],
      ['ctcc', 19],
      ['ctcc', 140003],
      ['cucc', 4],
      ['cucc', 6],
    ] as const) {
      expect(carrierStatus(carrier, code).state).toBe('inactive');
    }
  });

  it('answers an unlisted code as unknown, with the code in its words', () => {
    for (const carrier of CARRIERS) {
      const status = carrierStatus(carrier, 4242);
      expect(status.state).toBe('unknown');
      expect(status.text).toContain('4242');
      expect(status.fix).toBeUndefined();
    }
  });
});

describe('cardState', () => {
  const card = (carrier: Carrier, status: number, usedMB: number, totalMB = 1024) => ({
    carrier,
    status,
    usedMB,
    totalMB,
  });

  it('calls a card stopped with its package used up arrears, to be recharged', () => {
    for (const [carrier, code] of [
      ['cmcc', 1],
      ['cmcc', 2],
      ['cucc', 2],
      ['ctcc', 2],
      ['ctcc', 120000],
    ] as const) {
      expect(cardState(card(carrier, code, 1024))).toEqual({ state: 'arrears', fix: 'recharge' });
      expect(cardState(card(carrier, code, 2048.5))).toEqual({ state: 'arrears', fix: 'recharge' });
      expect(cardState(card(carrier, code, 1023.99))).toEqual({ state: 'suspended', fix: 'resume' });
    }
  });

  it('keeps what the carrier says for every other card', () => {
    expect(cardState(card('ctcc', 5, 10))).toEqual({ state: 'arrears', fix: 'recharge' });
    expect(cardState(card('ctcc', 6, 0))).toEqual({ state: 'arrears', fix: 'recharge' });
    expect(cardState(card('ctcc', 150001, 10))).toEqual({ state: 'suspended', fix: 'realName' });
    expect(cardState(card('ctcc', 150001, 2000))).toEqual({ state: 'suspended', fix: 'realName' });
    expect(cardState(card('ctcc', 7, 2000))).toEqual({ state: 'suspended', fix: 'carrier' });
    // Running out does not stop an active card by itself: the carrier does, later.
    expect(cardState(card('cmcc', 0, 2000))).toEqual({ state: 'active', fix: undefined });
    expect(cardState(card('cucc', 4, 0, 0))).toEqual({ state: 'inactive', fix: undefined });
    expect(cardState(card('cmcc', 4, 5000))).toEqual({ state: 'closed', fix: undefined });
  });

  it('follows the table for every code while data is left', () => {
    for (const { carrier, code } of CASES) {
      const { state, fix } = carrierStatus(carrier, code);
      expect(cardState(card(carrier, code, 1))).toEqual({ state, fix });
    }
  });
});

describe('the default demo fleet', () => {
  let c: EmulatorClient;

  beforeAll(async () => {
    c = await startTestEmulator();
  });

  afterAll(async () => {
    await c?.emulator.close();
  });

  const cards = () => [...c.emulator.platform.cards.values()];

  it('has 200 cards over the three carriers', () => {
    expect(cards()).toHaveLength(200);
    for (const carrier of CARRIERS)
      expect(cards().filter((card) => card.carrier === carrier).length).toBeGreaterThan(20);
  });

  it('has every code of every carrier on at least one card', () => {
    const missing = CASES.filter(
      ({ carrier, code }) => !cards().some((card) => card.carrier === carrier && card.status === code),
    );
    expect(missing).toEqual([]);
  });

  it('has cards stopped for arrears both ways: by the carrier code and by a used-up package', () => {
    expect(cards().some((card) => card.carrier === 'ctcc' && (card.status === 5 || card.status === 6))).toBe(true);
    const usedUp = cards().filter(
      (card) => cardState(card).state === 'arrears' && carrierStatus(card.carrier, card.status).state === 'suspended',
    );
    expect(usedUp.length).toBeGreaterThan(0);
  });

  it('gives every card a realistic ICCID of its carrier', () => {
    const problems: string[] = [];
    for (const { iccid, carrier } of cards()) {
      if (!/^89[0-9A-Z]{17,18}$/.test(iccid)) problems.push(`${iccid}: not 19–20 characters starting 89`);
      if (!ICCID_PREFIXES[carrier].includes(iccid.slice(0, 6))) problems.push(`${iccid}: not a ${carrier} prefix`);
      if (/^\d+$/.test(iccid) && !luhnValid(iccid)) problems.push(`${iccid}: wrong Luhn digit`);
      if (/[A-Z]/.test(iccid) && carrier !== 'cucc') problems.push(`${iccid}: a letter outside Unicom`);
    }
    expect(problems).toEqual([]);
    expect(new Set(cards().map((card) => card.iccid)).size).toBe(200);
  });

  it('has at least one Unicom ICCID containing a letter, and all-digit ICCIDs of every carrier', () => {
    expect(cards().some((card) => card.carrier === 'cucc' && /[A-Z]/.test(card.iccid))).toBe(true);
    for (const carrier of CARRIERS) {
      expect(cards().some((card) => card.carrier === carrier && /^\d+$/.test(card.iccid))).toBe(true);
    }
  });

  it('would catch a wrong Luhn digit', () => {
    const valid = cards().find((card) => /^\d+$/.test(card.iccid))?.iccid as string;
    const last = Number(valid.slice(-1));
    expect(luhnValid(valid)).toBe(true);
    expect(luhnValid(valid.slice(0, -1) + ((last + 1) % 10))).toBe(false);
    expect(luhnValid('79927398713')).toBe(true); // the textbook example
  });
});
