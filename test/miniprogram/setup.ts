// Before each mini-program suite: simulate's `wx` stub (it installs itself on require) with our device,
// real network and recorders laid over it; rpx converted as a 375 px wide phone does; the app globals.
/* eslint-disable @typescript-eslint/no-require-imports -- simulate's internals have no types */
import './simulate';
import { pageStack, wxOverrides } from './wx-env';

process.env.TZ = 'Asia/Shanghai';

const globals = globalThis as any;
Object.assign(globals.wx, wxOverrides());
globals.getCurrentPages = () => [...pageStack];
// renderPage launches app.ts and replaces these with its App(); a page rendered without launch sees an empty app.
globals.App = () => undefined;
globals.getApp = () => ({});

// simulate turns 1rpx into 1px; a 375 px wide phone shows 750rpx as 375px.
const RPX = /(-?\d*\.?\d+)rpx/gi;
export const rpxToPx = (style: string): string =>
  style.replace(RPX, (_, n: string) => `${+((Number(n) * 375) / 750).toFixed(3)}px`);
require('miniprogram-simulate/src/utils').transformRpx = rpxToPx;
require('j-component/src/tool/utils').transformRpx = rpxToPx;

// WeChat ≥ 2.4 components have groupSetData (Vant's tabs call it); simulate's do not: run the updates at once.
const exparserComponent = require('miniprogram-exparser').Component.prototype;
exparserComponent.groupSetData ??= function groupSetData(this: unknown, run: () => void) {
  run();
};
