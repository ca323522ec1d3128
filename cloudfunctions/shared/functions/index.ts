// Every function's handler, by the name the mini-program calls it with.
import type { FunctionHandler } from '../runtime/handler';
import { admin } from './admin';
import { cards } from './cards';
import { login } from './login';
import { pay } from './pay';

export const FUNCTIONS: Record<string, FunctionHandler> = { login, cards, pay, admin };

/** Every action of every function, by function name. */
export const FUNCTION_ACTIONS: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(FUNCTIONS).map(([name, handler]) => [name, handler.actionNames]),
);
