// What a handler of one platform operation receives, and what it returns.
import type { IncomingMessage } from 'node:http';
import type { Operation } from '../../cloudfunctions/shared/platform/routes';
import type { Platform } from './platform';

export interface Ctx {
  platform: Platform;
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  raw: Buffer;
  /** The body parsed as JSON (422 when it is not). */
  body(): unknown;
  /** The client the bearer token was issued to. */
  clientId: string;
  now: number;
}

/** The value returned becomes `data` of `{code:200,message:"ok",data}`; throw HttpError for anything else. */
export type Handler = (ctx: Ctx) => unknown | Promise<unknown>;

export type ApiOperation = Exclude<Operation, 'token' | 'authorize'>;
export type Handlers<K extends ApiOperation> = { [P in K]: Handler };
