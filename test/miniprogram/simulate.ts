// miniprogram-simulate, typed just enough for the harness. Its own types import WeChat's API typings,
// whose globals (wx, require, Component) clash with Node's; and the test project has no DOM lib (adding
// it changes what Node's fetch accepts), so the few DOM shapes used here are declared here.

/** The part of a jsdom Element the harness and tests use. */
export interface DomElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly outerHTML: string;
  readonly firstElementChild: DomElement | null;
  readonly children: ArrayLike<DomElement> & Iterable<DomElement>;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement> & Iterable<DomElement>;
  matches(selector: string): boolean;
  getAttribute(name: string): string | null;
  appendChild(child: DomElement): DomElement;
  remove(): void;
}

export interface DomDocument {
  readonly body: DomElement;
  readonly head: DomElement;
  createElement(tag: string): DomElement;
}

export const dom = (): DomDocument => (globalThis as unknown as { document: DomDocument }).document;

export interface SimNode {
  readonly dom?: DomElement;
  readonly data: any;
  readonly instance: any;
  querySelector(selector: string): SimNode | undefined;
  querySelectorAll(selector: string): SimNode[];
}

export interface SimRoot extends SimNode {
  attach(parent: DomElement): void;
  detach(): void;
}

export interface Simulate {
  load(path: string, tagName: string, options: { rootPath: string; usingComponents?: Record<string, string> }): string;
  render(id: string, properties?: Record<string, unknown>): SimRoot;
  sleep(ms: number): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
export const simulate: Simulate = require('miniprogram-simulate');
