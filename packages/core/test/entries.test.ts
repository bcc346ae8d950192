import { readFileSync } from 'node:fs';
import * as app from '@mpgkit/core';
import * as adapter from '@mpgkit/core/adapter';
import { expect, it } from 'vitest';

// Core has two faces: what an app calls ('@mpgkit/core') and what adapter and tool authors need
// ('@mpgkit/core/adapter'). Nothing only core itself uses is exported from either.
const INTERNALS = [
  'tokenizeSql',
  'splitStatements',
  'drawLifetime',
  'databaseOf',
  'sessionFeatureError',
  'REDACTED',
  'POOL_MODES',
  'checkPgQuery',
  'withCredentials',
  'withDatabase',
  'classifyConnectionUrl',
  'deriveDirectUrl',
  'budgetOf',
  'explainBudget',
  'builderOf',
];

it("the app entry's runtime exports are exactly what apps call", () => {
  expect(Object.keys(app).sort()).toEqual(
    [
      'MPG_PLANS',
      'MpgkitError',
      'MpgkitErrorCode',
      'POLICY_DEFAULTS',
      'checkPoolBudget',
      'classifyError',
      'createListener',
      'createPgPool',
      'defineDatabase',
      'defineTemplate',
      'explainError',
      'formatBudgetReport',
      'isMpgkitError',
      'recommendPoolSizes',
      'redactUrl',
      'retry',
    ].sort(),
  );
});

it('the app entry names at most 40 things, types included', () => {
  const source = readFileSync(new URL('../src/index.ts', import.meta.url), 'utf8').replace(/\/\/.*$/gm, '');
  const names = [...source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap((match) =>
    (match[1] ?? '')
      .split(',')
      .map((name) => name.replace(/^\s*type\s+/, '').trim())
      .filter(Boolean),
  );
  expect(names.length).toBeGreaterThan(30);
  expect(names.length).toBeLessThanOrEqual(40);
});

it.each(INTERNALS)('%s is exported from neither entry', (name) => {
  expect(app).not.toHaveProperty(name);
  expect(adapter).not.toHaveProperty(name);
});

it('the two entries do not overlap', () => {
  expect(Object.keys(adapter).filter((name) => name in app)).toEqual([]);
});
