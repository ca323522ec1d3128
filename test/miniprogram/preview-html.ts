// A rendered page as a stand-alone HTML file that Chromium shows as the phone would: the DOM simulate
// built, the styles it compiled (rpx already in px for a 375 px screen), app.wxss, WeChat's defaults for
// its built-in tags, a navigation bar, and Vant's icon font from the @vant/icons package (no CDN).
/* eslint-disable @typescript-eslint/no-require-imports -- simulate's internals have no types */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rendered } from './harness';
import { MINIPROGRAM } from './load';
import { dom } from './simulate';

export const WINDOW = { width: 375, height: 667, statusBar: 20, navBar: 44, tabBar: 50 };

/**
 * Before any page loads: give `:host` rules the component's tag (simulate leaves them unmatched), and let
 * <input>/<textarea> show their value or placeholder (simulate's built-ins drop both).
 */
export function installPreviewRendering(): void {
  const wxss = require('miniprogram-simulate/src/wxss');
  const compile = wxss.compile;
  wxss.compile = (css: string, opts: { prefix?: string }) =>
    compile(css.replace(/:host\b/g, opts.prefix ?? 'page'), opts);
  const register = require('j-component').register;
  for (const tag of ['input', 'textarea']) {
    register({
      id: tag,
      tagName: `wx-${tag}`,
      properties: { value: { type: null, value: '' }, placeholder: { type: String, value: '' } },
      template: `<span class="wx-field__text {{value ? '' : 'wx-field__placeholder'}}">{{value || placeholder}}</span>`,
    });
  }
}

const BASE_CSS = `
@font-face { font-family: 'PingFang SC'; src: local('Noto Sans CJK SC'), local('WenQuanYi Micro Hei'); }
html, body { margin: 0; padding: 0; background: #fff; }
body { width: ${WINDOW.width}px; font-family: 'PingFang SC', sans-serif; font-size: 16px; line-height: 1.2;
  -webkit-font-smoothing: antialiased; }
page { display: block; }
wx-view, wx-scroll-view, wx-swiper, wx-swiper-item, wx-form, wx-map, wx-canvas, wx-rich-text, wx-cover-view,
wx-movable-area, wx-navigator, wx-picker, wx-picker-view, wx-label, wx-block { display: block; }
wx-text { display: inline; white-space: pre-wrap; }
wx-scroll-view { overflow: hidden; width: 100%; } /* WeChat lays a scroll-view out full width (e.g. Vant tabs) */
wx-image { display: inline-block; width: 320px; height: 240px; overflow: hidden; }
wx-input { display: block; height: 1.4em; line-height: 1.4em; overflow: hidden; white-space: nowrap; }
wx-textarea { display: block; width: 300px; height: 150px; white-space: pre-wrap; }
.wx-field__placeholder { color: #c8c9cc; }
wx-button { display: block; position: relative; margin: 0 auto; padding: 0 14px; box-sizing: border-box;
  font-size: 18px; text-align: center; line-height: 2.5556; border-radius: 5px; background: #f8f8f8; color: #000; }
wx-map, wx-canvas { background: #e8eef3; }
.preview-nav { height: ${WINDOW.statusBar + WINDOW.navBar}px; box-sizing: border-box; padding-top: ${WINDOW.statusBar}px;
  position: relative; }
.preview-nav__title { height: ${WINDOW.navBar}px; line-height: ${WINDOW.navBar}px; text-align: center;
  font-size: 17px; font-weight: 600; }
.preview-nav__capsule { position: absolute; right: 7px; top: ${WINDOW.statusBar + 6}px; width: 87px; height: 32px;
  box-sizing: border-box; border-radius: 16px; border: 1px solid rgba(255, 255, 255, 0.35);
  display: flex; align-items: center; justify-content: space-around; font-size: 13px; letter-spacing: -1px; }
.preview-nav__capsule i { width: 1px; height: 18px; background: currentColor; opacity: 0.3; }
.preview-nav--black .preview-nav__capsule { border-color: rgba(0, 0, 0, 0.15); }
`;

const readJson = (file: string): any => JSON.parse(readFileSync(file, 'utf8'));

let iconFont: string | undefined;
/** Vant's icon font as a data: URL, from @vant/icons (the same iconfont build Vant Weapp 1.11 loads from a CDN). */
export function vantIconFontUrl(): string {
  if (iconFont) return iconFont;
  const less = readFileSync(require.resolve('@vant/icons/src/encode-woff2.less'), 'utf8');
  const match = /url\('(data:font\/woff2[^']+)'\)/.exec(less);
  if (!match) throw new Error('@vant/icons no longer ships its font as a data URL: check encode-woff2.less');
  return (iconFont = match[1]);
}

/** The CSS simulate injected for one rendered tree, its CDN font replaced, vh fixed to the window. */
function stylesOf(rendered: Rendered, windowHeight: number): string {
  const style = dom().head.querySelector(`style#${rendered.loadId}`);
  return fixCss(style?.textContent ?? '', windowHeight);
}

function fixCss(css: string, windowHeight: number): string {
  // vh first: the font's base64 may itself contain text like "3vh".
  return css
    .replace(/(?<![\w.])(\d*\.?\d+)vh\b/g, (_, n: string) => `${+((Number(n) * windowHeight) / 100).toFixed(2)}px`)
    .replace(/src:url\(\/\/at\.alicdn\.com[^;}]*/g, () => `src:url(${vantIconFontUrl()}) format("woff2")`);
}

function appCss(windowHeight: number): string {
  const wxss = require('miniprogram-simulate/src/wxss');
  const compiled = wxss.compile(wxss.getContent(join(MINIPROGRAM, 'app.wxss')), { prefix: 'page' });
  return fixCss(require('miniprogram-simulate/src/utils').transformRpx(compiled), windowHeight);
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function navBar(route: string): string {
  const window = readJson(join(MINIPROGRAM, 'app.json')).window ?? {};
  const own = readJson(join(MINIPROGRAM, `${route}.json`));
  const title = own.navigationBarTitleText ?? window.navigationBarTitleText ?? '';
  const background = own.navigationBarBackgroundColor ?? window.navigationBarBackgroundColor ?? '#f7f7f7';
  const text = own.navigationBarTextStyle ?? window.navigationBarTextStyle ?? 'black';
  const color = text === 'white' ? '#fff' : '#000';
  return `<div class="preview-nav preview-nav--${text}" style="background:${background};color:${color}">
<div class="preview-nav__title">${escapeHtml(title)}</div>
<div class="preview-nav__capsule"><span>•••</span><i></i><span>◉</span></div></div>`;
}

/** A complete HTML document of `page` (and the tab bar under it, for tab pages). */
export function pageHtml(page: Rendered, tabBar?: Rendered): string {
  const windowHeight = WINDOW.height - WINDOW.statusBar - WINDOW.navBar - (tabBar ? WINDOW.tabBar : 0);
  const styles = [
    BASE_CSS,
    `page { min-height: ${windowHeight}px; }`,
    appCss(windowHeight),
    stylesOf(page, windowHeight),
  ];
  if (tabBar) styles.push(stylesOf(tabBar, windowHeight), `body { padding-bottom: ${WINDOW.tabBar}px; }`);
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=${WINDOW.width}">
${styles.map((css) => `<style>${css}</style>`).join('\n')}
</head><body>
${navBar(page.route)}
${page.comp.dom!.outerHTML}
${tabBar ? tabBar.comp.dom!.outerHTML : ''}
</body></html>
`;
}
