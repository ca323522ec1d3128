// Words and colours of the normalised card states and of the carriers.
import type { CardFix, CardState, Carrier } from '../../typings/api';

export const STATE_NAMES: Record<CardState, string> = {
  active: '正常',
  suspended: '已停机',
  arrears: '欠费停机',
  inactive: '未激活',
  closed: '已销号',
  unknown: '未知',
};

/** Vant tag types for each state. */
export const STATE_TAG: Record<CardState, 'success' | 'danger' | 'warning' | 'default' | 'primary'> = {
  active: 'success',
  suspended: 'danger',
  arrears: 'warning',
  inactive: 'default',
  closed: 'default',
  unknown: 'default',
};

export const CARRIER_SHORT: Record<Carrier, string> = { cmcc: '移动', cucc: '联通', ctcc: '电信' };

export const FIX_ACTION: Record<CardFix, string> = {
  resume: '复机',
  recharge: '充值',
  realName: '实名认证',
  carrier: '联系运营商',
};

export const CARRIER_NAMES: Record<Carrier, string> = { cmcc: '中国移动', cucc: '中国联通', ctcc: '中国电信' };

/** What a row or a detail says while a stop or resume waits for the carrier. */
export const PENDING_TEXT: Record<'stop' | 'resume', string> = { stop: '停机中…', resume: '复机中…' };
