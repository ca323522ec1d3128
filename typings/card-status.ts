// The carriers' status codes (卡状态表 of the platform docs) and the one normalised state each maps to.
// Shared by the platform emulator and the backend; the mini-program only receives the result.

export type Carrier = 'cmcc' | 'cucc' | 'ctcc';

/** Normalised card state used for filters and colours. */
export type CardState = 'active' | 'suspended' | 'arrears' | 'inactive' | 'closed' | 'unknown';

/** The one action that brings a stopped card back. */
export type CardFix = 'resume' | 'recharge' | 'realName' | 'carrier';

export interface CarrierStatus {
  /** The carrier's own words, shown as they are. */
  text: string;
  state: CardState;
  /** For stopped cards: what brings the card back. */
  fix?: CardFix;
}

export const CARRIER_NAMES: Record<Carrier, string> = { cmcc: '中国移动', cucc: '中国联通', ctcc: '中国电信' };

export const CARRIER_STATUS: Record<Carrier, Record<number, CarrierStatus>> = {
  cmcc: {
    0: { text: '正常', state: 'active' },
    // The seed lists 1 twice (单向停机 and 停机); 1 is taken as 单向停机, 2 as 停机.
    1: { text: '单向停机', state: 'suspended', fix: 'resume' },
    2: { text: '停机', state: 'suspended', fix: 'resume' },
    3: { text: '预销号', state: 'closed' },
    4: { text: '销号', state: 'closed' },
    5: { text: '过户', state: 'closed' },
    6: { text: '休眠', state: 'inactive' },
    7: { text: '待激活', state: 'inactive' },
    99: { text: '号码不存在', state: 'unknown' },
  },
  ctcc: {
    [-1]: { text: '未知', state: 'unknown' },
    1: { text: '在用', state: 'active' },
    2: { text: '用户报停', state: 'suspended', fix: 'resume' },
    3: { text: '用户拆机', state: 'closed' },
    5: { text: '欠停(双向)', state: 'arrears', fix: 'recharge' },
    6: { text: '欠停(单向)', state: 'arrears', fix: 'recharge' },
    7: { text: '违章停机', state: 'suspended', fix: 'carrier' },
    8: { text: '挂失', state: 'suspended', fix: 'carrier' },
    11: { text: '施工未完', state: 'inactive' },
    19: { text: '活卡待激活', state: 'inactive' },
    120000: { text: '停机', state: 'suspended', fix: 'resume' },
    100001: { text: '已激活(测试期)', state: 'active' },
    140003: { text: '未激活(测试期)', state: 'inactive' },
    150001: { text: '未实名制违规停机', state: 'suspended', fix: 'realName' },
    140000: { text: '预拆机停机', state: 'closed' },
    160000: { text: '数据异常停机', state: 'suspended', fix: 'carrier' },
    170000: { text: '局方原因停机', state: 'suspended', fix: 'carrier' },
  },
  cucc: {
    1: { text: '已激活', state: 'active' },
    2: { text: '已停用', state: 'suspended', fix: 'resume' },
    3: { text: '可测试', state: 'inactive' },
    4: { text: '库存', state: 'inactive' },
    5: { text: '体验', state: 'active' },
    6: { text: '可激活', state: 'inactive' },
    7: { text: '已失效', state: 'closed' },
    8: { text: '已清除', state: 'closed' },
    9: { text: '无', state: 'unknown' },
    10: { text: '当前账期', state: 'active' },
    11: { text: '一直', state: 'unknown' },
  },
};

/** The status a card gets when stopped or resumed through the API, per carrier. */
export const NETWORK_TARGET: Record<Carrier, { stop: number; resume: number }> = {
  cmcc: { stop: 2, resume: 0 },
  cucc: { stop: 2, resume: 1 },
  ctcc: { stop: 120000, resume: 1 },
};

export function carrierStatus(carrier: Carrier, status: number): CarrierStatus {
  return CARRIER_STATUS[carrier][status] ?? { text: `未知状态(${status})`, state: 'unknown' };
}

/**
 * The normalised state of a card. A card stopped after its package ran out is stopped for money,
 * whatever the carrier calls it: it comes back by recharge, not by resume.
 */
export function cardState(card: { carrier: Carrier; status: number; usedMB: number; totalMB: number }): {
  state: CardState;
  fix?: CardFix;
} {
  const known = carrierStatus(card.carrier, card.status);
  if (known.state === 'suspended' && known.fix === 'resume' && card.totalMB > 0 && card.usedMB >= card.totalMB) {
    return { state: 'arrears', fix: 'recharge' };
  }
  return { state: known.state, fix: known.fix };
}
