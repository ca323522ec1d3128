// PLACEHOLDER being replaced by the engineer who owns this file (issue 4).
import { defineFunction } from '../runtime/handler';

export const cards = defineFunction('cards', {});
