import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { PoolMode } from '@mpgkit/core';
import type { CapturedError } from './scenarios/07-errors-from-faults.ts';

/**
 * The corpus of real error objects: what each adapter's ORM threw on the stack (conformance scenario 7),
 * as plain data with its classification, one file per subject and pool mode. `classifyError` is tested
 * against it without a stack (test/error-corpus.test.ts). Refresh it with MPGKIT_UPDATE_ERROR_CORPUS=1
 * pnpm test; the conformance suite checks the live errors every run either way.
 */
export const ERROR_CORPUS_DIR: URL = new URL('../../error-corpus/', import.meta.url);

/** One file of the corpus. */
export interface ErrorCorpusFile {
  subject: string;
  mode: PoolMode;
  errors: CapturedError[];
}

/** Writes a subject's captured errors to the corpus, when MPGKIT_UPDATE_ERROR_CORPUS=1. */
export function recordErrorCorpus(subject: string, mode: PoolMode, errors: CapturedError[]): void {
  if (process.env.MPGKIT_UPDATE_ERROR_CORPUS !== '1') return;
  mkdirSync(ERROR_CORPUS_DIR, { recursive: true });
  const file = `${subject.replace(/[^\w.-]+/g, '-').toLowerCase()}-${mode}.json`;
  const content: ErrorCorpusFile = { subject, mode, errors };
  writeFileSync(new URL(file, ERROR_CORPUS_DIR), `${JSON.stringify(content, null, 2)}\n`);
}

/** Every file of the corpus. */
export function readErrorCorpus(): ErrorCorpusFile[] {
  return readdirSync(ERROR_CORPUS_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(new URL(file, ERROR_CORPUS_DIR), 'utf8')) as ErrorCorpusFile);
}
