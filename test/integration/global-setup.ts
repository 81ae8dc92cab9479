import { stackEnv } from '../support/stack-env.js';

// Fail the whole integration tier at once, with one clear message, when the stack is missing.
export default function setup(): void {
  stackEnv();
}
