import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, UserConfig } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Which build the tests run: `source` (default) resolves workspace packages through their `@mpgkit/source`
 * export condition, as the load-runner child processes do (`node --conditions=@mpgkit/source`); `dist`
 * (`MPGKIT_TEST_TARGET=dist`, the compatibility job) resolves them to the built `dist/` an installed app
 * gets, and the tests' own relative imports of a package's `src/` get that package's built exports
 * ({@link distShims}).
 */
export const testTarget: 'source' | 'dist' = process.env.MPGKIT_TEST_TARGET === 'dist' ? 'dist' : 'source';

const sourceCondition = testTarget === 'source' ? ['@mpgkit/source'] : [];

export const sourceResolution: Pick<UserConfig, 'resolve' | 'ssr' | 'plugins'> = {
  resolve: { conditions: [...sourceCondition, 'module', 'node', 'development|production'] },
  ssr: {
    resolve: {
      conditions: [...sourceCondition, 'node', 'development|production'],
      externalConditions: sourceCondition,
    },
  },
  plugins: testTarget === 'dist' ? [distShims()] : [],
};

// Under `dist`, a test's relative import of a package's source module (`./policy.ts`, `../src/index.ts`)
// becomes a module that re-exports the source module and, over it, every name of it the built package
// exports (an explicit export wins over `export *`): what apps call runs from dist/, what only tests reach
// (internal helpers) still runs from the source. The built names come from the `export { … }` statement
// tsdown writes at the end of each entry.
function distShims(): Plugin {
  const SHIM = '\0mpgkit-dist-shim:';
  // Per package: each built entry's value names, and which built entry each source entry becomes.
  const built = new Map<string, { names: Map<string, string>; entryOf: Map<string, string> }>();
  const builtOf = (packageDir: string) => {
    const known = built.get(packageDir);
    if (known !== undefined) return known;
    const names = new Map<string, string>();
    const entryOf = new Map<string, string>();
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      exports?: Record<string, unknown>;
    };
    for (const target of Object.values(manifest.exports ?? {})) {
      const entry = importPathOf(target);
      const source = (target as { '@mpgkit/source'?: unknown } | null)?.['@mpgkit/source'];
      if (entry === undefined) continue;
      const file = join(packageDir, entry);
      if (!existsSync(file)) {
        throw new Error(`MPGKIT_TEST_TARGET=dist: ${relative(root, file)} is not built (run pnpm build)`);
      }
      if (typeof source === 'string') entryOf.set(join(packageDir, source), file);
      for (const name of exportedNames(readFileSync(file, 'utf8')))
        if (!names.has(name)) names.set(name, file);
    }
    const result = { names, entryOf };
    built.set(packageDir, result);
    return result;
  };
  return {
    name: 'mpgkit-dist-shims',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (importer === undefined || importer.startsWith(SHIM) || !source.startsWith('.')) return null;
      if (!/\.test\.ts$|[\\/]test[\\/]/.test(importer)) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      const file = resolved?.id;
      if (file === undefined || !file.endsWith('.ts') || file.endsWith('.test.ts')) return null;
      const packageDir = packageDirOf(file);
      if (packageDir === undefined || !file.startsWith(join(packageDir, 'src') + sep)) return null;
      return `${SHIM}${file}`;
    },
    load(id) {
      if (!id.startsWith(SHIM)) return null;
      const file = id.slice(SHIM.length);
      const { names, entryOf } = builtOf(packageDirOf(file) as string);
      // An entry's source becomes that entry (two entries may export the same name: Drizzle's createDrizzle);
      // another module's names come from whichever entry exports them (one binding in a shared chunk).
      const ownEntry = entryOf.get(file);
      const ownNames =
        ownEntry === undefined ? undefined : new Set(exportedNames(readFileSync(ownEntry, 'utf8')));
      const lines = [`export * from ${JSON.stringify(file)};`];
      const byEntry = new Map<string, string[]>();
      for (const name of exportedNames(readFileSync(file, 'utf8'))) {
        const entry = ownEntry !== undefined ? (ownNames?.has(name) ? ownEntry : undefined) : names.get(name);
        if (entry !== undefined) byEntry.set(entry, [...(byEntry.get(entry) ?? []), name]);
      }
      for (const [entry, names] of byEntry)
        lines.push(`export { ${names.join(', ')} } from ${JSON.stringify(entry)};`);
      return lines.join('\n');
    },
  };
}

// packages/<name> for a file inside one of the workspace's published packages.
function packageDirOf(file: string): string | undefined {
  const inPackages = relative(join(root, 'packages'), file);
  if (inPackages.startsWith('..')) return undefined;
  const [name] = inPackages.split(sep);
  return name === undefined ? undefined : join(root, 'packages', name);
}

// The `import` file of an exports entry ({ import: { default } } or { default }), without conditions of ours.
function importPathOf(target: unknown): string | undefined {
  if (typeof target === 'string') return target.endsWith('.mjs') ? target : undefined;
  if (typeof target !== 'object' || target === null) return undefined;
  const conditions = target as Record<string, unknown>;
  return importPathOf(conditions.import ?? conditions.default);
}

// Value names a module exports: `export function|const|class|let NAME`, `export { a, b as c }` (a built
// entry's closing statement, or a source's re-exports); types are left out.
function exportedNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(
    /^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)/gm,
  )) {
    names.add(match[1] as string);
  }
  for (const match of text.matchAll(/^export\s*\{([^}]*)\}/gm)) {
    for (const part of (match[1] as string).split(',')) {
      const spec = part.trim();
      if (spec === '' || spec.startsWith('type ')) continue;
      names.add(spec.split(/\s+as\s+/).at(-1) as string);
    }
  }
  return [...names];
}
