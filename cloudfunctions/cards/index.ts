import { cards } from '../shared/functions/cards';
import { cloudMain } from '../shared/runtime/cloud';

export const main = cloudMain('cards', cards);
