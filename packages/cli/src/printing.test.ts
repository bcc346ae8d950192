import { describe, it } from 'vitest';
import { assertNoPasswordPrintedAsync } from '../../../test-support/password-fuzz.ts';
import { runCli } from './run-cli.ts';

// What the CLI prints never shows a password, whatever it is, however it is written and wherever the URL
// carries it (test-support/password-fuzz.ts): `mpgkit env` (text and JSON), `mpgkit explain` of an error
// text that holds the URL, and `mpgkit doctor` against a port where nothing listens (its URL, DNS, TLS and
// connect lines are printed; the connect fails at once).
async function run(argv: string[], env: Record<string, string>): Promise<string> {
  const out: string[] = [];
  const io = { stdout: (text: string) => out.push(text), stderr: (text: string) => out.push(text), env };
  await runCli(argv, io);
  // Lifetimes are drawn at random and timings vary; their digits are not what this test is about.
  return out.join('\n').replace(/\d+(\.\d+)?/g, '0');
}

describe('the CLI prints no password (generated passwords × commands)', () => {
  it('mpgkit env and mpgkit explain: 10,000 passwords', { timeout: 300_000 }, async () => {
    await assertNoPasswordPrintedAsync(async (url) => ({
      'mpgkit env': await run(['env', '--mode', 'transaction'], { DATABASE_URL: url }),
      'mpgkit env --json': await run(['env', '--mode', 'transaction', '--json'], { DATABASE_URL: url }),
      'mpgkit explain': await run(['explain', `connect ECONNREFUSED for ${url}`], {}),
      'mpgkit explain --json': await run(['explain', `password authentication failed: ${url}`, '--json'], {}),
    }));
  });

  // Each run connects (refused at once, ~0.7 ms).
  it('mpgkit doctor: 10,000 passwords', { timeout: 300_000 }, async () => {
    await assertNoPasswordPrintedAsync(async (url) => {
      const local = url.replace('pgbouncer.c1.flympg.net', '127.0.0.1:9');
      return {
        'mpgkit doctor --json': await run(['doctor', '--mode', 'transaction', '--json'], {
          DATABASE_URL: local,
        }),
      };
    });
  });
});
