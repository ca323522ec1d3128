// Recharge cards (充值卡): list, history, transfers, generate.
import type { Handlers } from './context';
import { fail } from './http';

const todo = () => {
  throw fail(417, '尚未实现');
};

export const datacardHandlers: Handlers<'datacard.list' | 'datacard.history' | 'datacard.transfer' | 'datacard.generate'> = {
  'datacard.list': todo,
  'datacard.history': todo,
  'datacard.transfer': todo,
  'datacard.generate': todo,
};
