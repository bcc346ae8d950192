import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

// `mpgkit env` prints the resolved URLs and settings: never a password, whatever it is and wherever the
// URL carries it (userinfo, ?password=, ?pass%77ord=), in text and in JSON.
const passwordArb = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }),
  fc.string({ unit: fc.constantFrom(...'@:/?#%&= +\n\'"\\ab9'), minLength: 1, maxLength: 16 }),
);
const placementArb = fc.constantFrom('userinfo', 'password-param', 'encoded-key-param');

function urlWith(password: string, placement: string): string {
  const encoded = encodeURIComponent(password);
  if (placement === 'userinfo') return `postgresql://fly-user:${encoded}@pgbouncer.c1.flympg.net/fly-db`;
  const key = placement === 'password-param' ? 'password' : 'pass%77ord';
  return `postgresql://fly-user@pgbouncer.c1.flympg.net/fly-db?${key}=${encoded}`;
}

async function env(password: string, placement: string, json: boolean): Promise<string> {
  const out: string[] = [];
  const io = {
    stdout: (text: string) => out.push(text),
    stderr: (text: string) => out.push(text),
    env: { DATABASE_URL: urlWith(password, placement) },
  };
  await runCli(['env', '--mode', 'transaction', ...(json ? ['--json'] : [])], io);
  // The lifetime is drawn at random; its digits are not what this test is about.
  return out.join('\n').replace(/\d+(\.\d+)?/g, '0');
}

describe('mpgkit env prints no password (10,000 generated cases each)', () => {
  it.each([false, true])('--json: %s', async (json) => {
    await fc.assert(
      fc.asyncProperty(passwordArb, placementArb, async (password, placement) => {
        const printed = await env(password, placement, json);
        const baseline = await env('Qx7-placeholder-Qx7', placement, json);
        if (!baseline.includes(password)) expect(printed).not.toContain(password);
      }),
      { numRuns: 10_000 },
    );
  });
});
