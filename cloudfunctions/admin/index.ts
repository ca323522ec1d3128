import { admin } from '../shared/functions/admin';
import { cloudMain } from '../shared/runtime/cloud';

export const main = cloudMain('admin', admin);
