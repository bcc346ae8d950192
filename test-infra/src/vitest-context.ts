import type { StackState } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's shared stack, from the global setup (no faults on it: tests that inject faults start their own). */
    mpgkitStack: StackState;
  }
}
