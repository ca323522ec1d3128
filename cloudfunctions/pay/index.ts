import { pay } from '../shared/functions/pay';
import { cloudMain } from '../shared/runtime/cloud';

export const main = cloudMain('pay', pay);
