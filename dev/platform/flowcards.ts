// Flow cards (流量卡). Being written.
import type { Handlers, ApiOperation } from './context';
import { fail } from './http';

type FlowOp = Extract<ApiOperation, `flowcard.${string}`>;
const todo = () => {
  throw fail(417, '尚未实现');
};
export const flowcardHandlers = Object.fromEntries(
  ['flowcard.list','flowcard.detail','flowcard.update','flowcard.batchUpdate','flowcard.data','flowcard.status','flowcard.network','flowcard.transferHistory','flowcard.transfer','flowcard.importHistory','flowcard.import','flowcard.reality','flowcard.bindReality','flowcard.types','flowcard.categories','flowcard.tags','flowcard.location'].map((k) => [k, todo]),
) as unknown as Handlers<FlowOp>;
