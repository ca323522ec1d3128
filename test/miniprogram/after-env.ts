// After every mini-program test: pages detached, recorders and scripted answers back to their defaults.
import { unmountAll } from './harness';
import { resetWx } from './wx-env';

afterEach(() => {
  unmountAll();
  resetWx();
});
