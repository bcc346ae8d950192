import { defineDatabase, MpgkitError, type Policy } from '@mpgkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';

// The password fuzz every package runs over what it prints (core: policies, URLs, errors, pools; each
// adapter: the objects it builds; the CLI: its commands' output): generated passwords of every kind, written
// every way users write them, and a leak check that tells a leak from public text. It lives at the workspace
// root because core's own tests use it, which a workspace package could not offer (test-infra depends on
// core).

export const FUZZ_USER = 'fly-user';
export const FUZZ_HOST = 'pgbouncer.c1.flympg.net';
const RESERVED = [..."@:/?#[]!$&'()*+,;=%"];

/** Any Unicode, any code unit (controls included), every reserved character, and known hard cases. */
export const passwordArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }),
  fc.string({
    unit: fc.constantFrom(...RESERVED, ' ', '\n', '\t', '\r', '\\', '"', 'a', 'b', '9'),
    minLength: 1,
    maxLength: 16,
  }),
  fc.constantFrom(
    FUZZ_USER,
    FUZZ_HOST,
    'fly-db',
    'a b',
    'line\nbreak',
    '%',
    '%E0%A4%A',
    'pass%77ord',
    '#secret',
    '123?secret',
    '/secret',
  ),
);

/**
 * Where the URL carries the password: percent-encoded or raw (as users paste it) in the userinfo, or
 * encoded in a parameter (a raw parameter value cannot be told from the parameters after it).
 */
export const placementArb: fc.Arbitrary<string> = fc.constantFrom(
  'userinfo',
  'raw-userinfo',
  'password-param',
  'encoded-key-param',
);

/** A pooled MPG URL carrying `password` as `placement` says. */
export function urlWith(password: string, placement: string, host: string = FUZZ_HOST): string {
  const encoded = encodeURIComponent(password);
  if (placement === 'userinfo') return `postgresql://${FUZZ_USER}:${encoded}@${host}/fly-db`;
  if (placement === 'raw-userinfo') return `postgresql://${FUZZ_USER}:${password}@${host}/fly-db`;
  const key = placement === 'password-param' ? 'password' : 'pass%77ord';
  return `postgresql://${FUZZ_USER}@${host}/fly-db?sslmode=disable&${key}=${encoded}`;
}

// The password with its punctuation, spaces and controls kept (what decides whether a URL is refused) and
// everything else turned into x: the same refusal, without the secret.
function neutral(password: string): string {
  return password.replace(/[\p{L}\p{N}\p{M}\p{S}]/gu, 'x');
}

// The forms a password can take in printed text: raw, encodeURIComponent's, and the URL serializer's.
function formsOf(password: string): string[] {
  const forms = new Set([password, encodeURIComponent(password)]);
  try {
    forms.add(new URL(`postgresql://u:${encodeURIComponent(password)}@h/d`).password);
  } catch {}
  return [...forms];
}

/**
 * Runs `printed` (every surface's text for one URL) over `numRuns` generated passwords and placements, and
 * fails on any surface that shows a form of the password. A form the same surface also prints for other
 * passwords (a placeholder, and the password with its letters turned into x) is public text (the user, the
 * host, a word of a fixed message), not a leak.
 *
 * @example
 * ```ts
 * assertNoPasswordPrinted((url) => ({ 'util.inspect(db)': inspect(createKysely(policyFor(url))) }));
 * ```
 */
export function assertNoPasswordPrinted(
  printed: (url: string) => Record<string, string>,
  numRuns = 10_000,
): void {
  const placeholders = new Map<string, Record<string, string>>();
  fc.assert(
    fc.property(passwordArb, placementArb, (password, placement) => {
      if (!placeholders.has(placement)) placeholders.set(placement, printed(urlWith(PLACEHOLDER, placement)));
      const baselines = [
        placeholders.get(placement) as Record<string, string>,
        printed(urlWith(neutral(password), placement)),
      ];
      expectNoLeak(printed(urlWith(password, placement)), baselines, password, placement);
    }),
    { numRuns },
  );
}

/**
 * {@link assertNoPasswordPrinted} for surfaces printed asynchronously (a CLI command run in-process).
 *
 * @example
 * ```ts
 * await assertNoPasswordPrintedAsync(async (url) => ({ 'mpgkit env': await env(url) }), 2_000);
 * ```
 */
export async function assertNoPasswordPrintedAsync(
  printed: (url: string) => Promise<Record<string, string>>,
  numRuns = 10_000,
): Promise<void> {
  const placeholders = new Map<string, Record<string, string>>();
  await fc.assert(
    fc.asyncProperty(passwordArb, placementArb, async (password, placement) => {
      if (!placeholders.has(placement))
        placeholders.set(placement, await printed(urlWith(PLACEHOLDER, placement)));
      const baselines = [
        placeholders.get(placement) as Record<string, string>,
        await printed(urlWith(neutral(password), placement)),
      ];
      expectNoLeak(await printed(urlWith(password, placement)), baselines, password, placement);
    }),
    { numRuns },
  );
}

const PLACEHOLDER = 'Qx7-placeholder-Qx7';

function expectNoLeak(
  surfaces: Record<string, string>,
  baselines: Record<string, string>[],
  password: string,
  placement: string,
): void {
  for (const [name, text] of Object.entries(surfaces)) {
    const reference = baselines.map((baseline) => baseline[name] ?? '').join('\n');
    for (const form of formsOf(password)) {
      if (reference.includes(form)) continue;
      expect(text, `${name} (${placement})`).not.toContain(form);
    }
  }
}

/**
 * `printed` for surfaces built from a policy: the policy is defined from the URL (as `DATABASE_URL`; on MPG
 * the direct URL is derived). A URL the policy refuses (a typed error; any other fails the test) prints what
 * `refused` returns: nothing by default, since core's own fuzz checks that refusal's error. The policy's logger lines are a surface too.
 *
 * @example
 * ```ts
 * assertNoPasswordPrinted(printedThrough((policy) => ({ 'util.inspect(pool)': inspect(createPgPool(policy, pg.Pool)) })));
 * ```
 */
export function printedThrough(
  build: (policy: Policy, url: string) => Record<string, string>,
  refused: (error: MpgkitError, url: string) => Record<string, string> = () => ({}),
): (url: string) => Record<string, string> {
  return (url) => {
    const logged: string[] = [];
    let policy: Policy;
    try {
      policy = defineDatabase({
        env: { DATABASE_URL: url },
        poolMode: 'transaction',
        logger: { warn: (line: string) => logged.push(line) },
        random: () => 0.5,
      });
      policy.urls;
    } catch (error) {
      if (error instanceof MpgkitError) return refused(error, url);
      throw error;
    }
    const surfaces = build(policy, url);
    return { ...surfaces, 'logger lines': logged.join('\n') };
  };
}

/** `JSON.stringify`, or `''` for an object that cannot be serialized (a cycle): nothing printed. */
export function jsonOf(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
