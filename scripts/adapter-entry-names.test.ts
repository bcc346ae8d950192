import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// '@mpgkit/core/adapter' is for adapter and tool authors: it names at most 60 things, and each one is used
// outside core (by an adapter, the CLI, test-infra, the bench or an example). A name only core uses stays
// unexported; one nobody uses goes.
const root = new URL('../', import.meta.url).pathname;
const entry = readFileSync(join(root, 'packages/core/src/adapter.ts'), 'utf8').replace(/\/\/.*$/gm, '');

/** The names an entry file exports, types included. */
export function exportedNames(source: string): string[] {
  return [...source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap((match) =>
    (match[1] ?? '')
      .split(',')
      .map((name) => name.replace(/^\s*type\s+/, '').trim())
      .filter(Boolean),
  );
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return /\.(?:ts|mts|cts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

const outside = [
  ...readdirSync(join(root, 'packages'))
    .filter((name) => name !== 'core')
    .flatMap((name) => sourcesUnder(join(root, 'packages', name))),
  ...['test-infra', 'bench', 'examples'].flatMap((dir) => sourcesUnder(join(root, dir))),
].map((file) => readFileSync(file, 'utf8'));

/** The names no text in `texts` uses, as a whole word. */
export function unusedNames(names: readonly string[], texts: readonly string[]): string[] {
  return names.filter((name) => !texts.some((text) => new RegExp(`\\b${name}\\b`).test(text)));
}

describe("core's adapter entry", () => {
  const names = exportedNames(entry);

  it('names at most 60 things, types included', () => {
    expect(names.length).toBeGreaterThan(20);
    expect(names.length).toBeLessThanOrEqual(60);
  });

  it('exports only names used outside core', () => {
    expect(unusedNames(names, outside)).toEqual([]);
  });

  it('negative control: a name only core uses is found', () => {
    expect(unusedNames(['resolveEndpoint', 'budgetOf'], outside)).toEqual(['budgetOf']);
  });
});
