// Every function's handler, by the name the mini-program calls it with.
import type { FunctionHandler } from '../runtime/handler';
import { login } from './login';

export const FUNCTIONS: Record<string, FunctionHandler> = { login };
