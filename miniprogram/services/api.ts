// One typed function per backend action, on top of the call gateway.
import type { ActionName, FunctionName, Req, Res } from '../../typings/api';
import { call } from './gateway';

function fn<F extends FunctionName>(name: F) {
  return <A extends ActionName<F>>(action: A) =>
    (req: Req<F, A>): Promise<Res<F, A>> =>
      call(name, action, req);
}

const login = fn('login');
const cards = fn('cards');
const pay = fn('pay');
const admin = fn('admin');

export const loginApi = { login: login('login'), me: login('me'), redeemInvite: login('redeemInvite') };

export const cardsApi = {
  list: cards('list'),
  summary: cards('summary'),
  detail: cards('detail'),
  usage: cards('usage'),
  history: cards('history'),
  setNetwork: cards('setNetwork'),
  location: cards('location'),
  locations: cards('locations'),
  realName: cards('realName'),
  update: cards('update'),
  lookup: cards('lookup'),
};

export const payApi = {
  categories: pay('categories'),
  products: pay('products'),
  create: pay('create'),
  order: pay('order'),
  cancel: pay('cancel'),
  resume: pay('resume'),
  orders: pay('orders'),
  stats: pay('stats'),
  devPay: pay('devPay'),
};

export const adminApi = {
  members: admin('members'),
  invite: admin('invite'),
  invites: admin('invites'),
  removeMember: admin('removeMember'),
  vehicles: admin('vehicles'),
  saveVehicle: admin('saveVehicle'),
  audit: admin('audit'),
  startJob: admin('startJob'),
  job: admin('job'),
  jobs: admin('jobs'),
  datacards: admin('datacards'),
  alerts: admin('alerts'),
  saveAlert: admin('saveAlert'),
  deleteAlert: admin('deleteAlert'),
};
