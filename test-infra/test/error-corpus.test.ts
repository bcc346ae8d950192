import { classifyError, explainError } from '@mpgkit/core';
import { describe, expect, it } from 'vitest';
import { readErrorCorpus } from '../src/conformance/error-corpus.ts';

// Real error objects, as pg, postgres.js, Prisma 7, TypeORM, Kysely and Drizzle threw them on the stack
// (conformance scenario 7, saved as plain data), classified without a stack.
const corpus = readErrorCorpus();

describe('the error corpus', () => {
  it('holds every adapter in both pool modes', () => {
    const subjects = new Set(corpus.map((file) => file.subject));
    expect(subjects).toEqual(
      new Set([
        'Kysely',
        'Drizzle + node-postgres',
        'Drizzle + postgres.js',
        'TypeORM',
        'Prisma 7 (adapter-pg)',
        'pg Pool from a core Policy',
      ]),
    );
    expect(corpus).toHaveLength(subjects.size * 2);
  });

  const entries = corpus.flatMap((file) =>
    file.errors.map((entry) => [`${file.subject}, ${file.mode} mode: ${entry.fault}`, entry] as const),
  );
  it.each(entries)('%s', (_, entry) => {
    expect(classifyError(entry.error)).toMatchObject(entry.classification);
    const explanation = explainError(entry.error);
    expect(explanation, 'every error a fault produces is explained').toBeDefined();
    if (entry.fault === 'wrong password') expect(explanation?.retry).toBe('never');
    if (entry.fault === 'backend terminated in flight') expect(explanation?.retry).toBe('if-idempotent');
  });
});
