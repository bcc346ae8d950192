/**
 * The error `fn` throws, for tests that read its `code` and `message`; fails the test when nothing is thrown.
 *
 * @example
 * ```ts
 * expect(thrown(() => parseTlsMode('allow')).code).toBe('INVALID_OPTION');
 * ```
 */
export function thrown(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a throw');
}
