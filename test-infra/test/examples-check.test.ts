import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from 'mpgkit';
import { describe, expect, it } from 'vitest';

// CI's budget check, run on every example app as its own CI would: its policy module (no database URL, no
// secret) against its own fly.toml, and against a scale file where someone ran `fly scale count` too far.
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

async function check(example: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['check', '--policy', 'src/db-policy.ts', '--fly-toml', 'fly.toml', ...argv], {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    env: {},
    cwd: join(examples, example),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('mpgkit check on the example apps', () => {
  it.each(['kysely', 'drizzle', 'prisma', 'typeorm'])('%s: its policy fits its fly.toml', async (example) => {
    const { code, stdout, stderr } = await check(example);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/release_command: \+1 direct connection while deploying/);
    expect(stdout).toMatch(/verdict: OK/);
    expect(code).toBe(0);
  });

  it('kysely: a scale count that does not fit exits 1 with the arithmetic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpgkit-scale-'));
    const scale = join(dir, 'scale.json');
    writeFileSync(
      scale,
      JSON.stringify(
        [
          { Process: 'app', Count: 30, CPUKind: 'shared', CPUs: 1, Memory: 512, Regions: { iad: 30 } },
          { Process: 'worker', Count: 1, CPUKind: 'shared', CPUs: 1, Memory: 512, Regions: { iad: 1 } },
        ],
        null,
        4,
      ),
    );
    const { code, stdout } = await check('kysely', '--scale', scale);
    expect(stdout).toMatch(/\(30 × 10\) \+ \(1 × 5\) = 305 of 200/);
    expect(code).toBe(1);
  });
});
