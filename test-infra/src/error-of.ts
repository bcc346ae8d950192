/**
 * The error `work` rejects with, for tests that explain a real fault's error; fails the test when it resolves.
 *
 * @example
 * ```ts
 * explainError(await errorOf(() => client.query('SELECT 1')));
 * ```
 */
export async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
