// Packages talk only through their `exports`: no file may reach into another package by a relative path
// (an import, a dynamic import, `new URL(…, import.meta.url)`, or a path in a config). This finds every
// relative path in source files that resolves into another package's folder. Cycles inside a package are
// Biome's `noImportCycles` (biome.json).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** A relative path that leaves its package. */
export interface BoundaryViolation {
  /** The file, relative to the root. */
  file: string;
  line: number;
  /** The path as written. */
  path: string;
  /** The package folder it reaches into, relative to the root ('.' for the workspace root). */
  reaches: string;
}

const SOURCE = /\.(?:[cm]?ts|[cm]?js)$/;
const SKIP = new Set(['node_modules', 'dist', '.git', '.turbo', 'generated', 'results']);
// A quoted path that starts with ./ or ../ (import specifiers, new URL() paths, config paths), up to its
// closing quote or, in a template literal, its first substitution: `../../examples/${name}` is caught too.
const RELATIVE_PATH = /['"`](\.{1,2}\/[^'"`\s$]*)/g;
// Shared build configuration at the workspace root, which package configs extend by design, and the test
// helpers every package's tests share (test-support/: no package ships them, and core's own tests use them,
// which a workspace package could not: test-infra depends on core).
const ROOT_CONFIG = /^(?:(?:tsdown|vitest)\.shared\.ts|test-support\/[\w.-]+\.ts)$/;
// A cluster file (defineCluster) names the policy module and fly.toml of every app on one cluster: reading
// other apps' files is what it is for (`mpgkit check --cluster` loads them; the file itself imports nothing there).
const CLUSTER_FILE = /\.cluster\.[cm]?[jt]s$/;

/**
 * Every relative path in `root`'s source files that reaches into a folder of another package (a folder
 * with a package.json), or into the workspace root other than its shared build configs.
 *
 * @example
 * ```ts
 * findBoundaryViolations(process.cwd()); // [] when every package talks through its exports
 * ```
 */
export function findBoundaryViolations(root: string): BoundaryViolation[] {
  const violations: BoundaryViolation[] = [];
  for (const file of sourceFiles(root)) {
    if (CLUSTER_FILE.test(file)) continue;
    const own = packageOf(dirname(file), root);
    for (const [index, text] of readFileSync(file, 'utf8').split('\n').entries()) {
      for (const match of text.matchAll(RELATIVE_PATH)) {
        const path = match[1] ?? '';
        const target = resolve(dirname(file), path);
        if (!target.startsWith(root + sep) && target !== root) continue;
        const reaches = packageOf(
          existsSync(target) && statSync(target).isDirectory() ? target : dirname(target),
          root,
        );
        if (reaches === own) continue;
        if (reaches === root && ROOT_CONFIG.test(relative(root, target))) continue;
        violations.push({
          file: relative(root, file),
          line: index + 1,
          path,
          reaches: relative(root, reaches) || '.',
        });
      }
    }
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (SOURCE.test(entry.name)) yield path;
  }
}

// The nearest folder at or above `dir` (within root) that has a package.json.
function packageOf(dir: string, root: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'package.json')) || current === root || current === dirname(current)) {
      return current;
    }
  }
}

if (import.meta.main) {
  const root = resolve(import.meta.dirname, '..');
  const violations = findBoundaryViolations(root);
  for (const v of violations) {
    console.error(
      `${v.file}:${v.line}: '${v.path}' reaches into ${v.reaches}; import it through its exports`,
    );
  }
  if (violations.length > 0) process.exit(1);
  console.log('package boundaries: every cross-package reference goes through exports');
}
