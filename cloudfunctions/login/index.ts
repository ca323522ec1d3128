import { login } from '../shared/functions/login';
import { cloudMain } from '../shared/runtime/cloud';

export const main = cloudMain('login', login);
