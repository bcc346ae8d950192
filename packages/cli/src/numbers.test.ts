import fc from 'fast-check';
import { expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

// What a user types where a number belongs is quoted back as typed when refused; no message prints NaN or
// Infinity of its own (a quoted echo of the user's "Infinity" is theirs), and an empty value is never 0.
const typed = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e400',
    '-1',
    '-0',
    '0x10',
    '1.5',
    ' 3 ',
    '1e3',
    '9007199254740993',
    'abc',
  ),
  fc.integer({ min: -5, max: 5_000 }).map(String),
  fc.double().map(String),
);

async function output(argv: string[]): Promise<{ code: number; text: string }> {
  const out: string[] = [];
  const code = await runCli(argv, { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: {} });
  return { code, text: out.join('\n') };
}

const withoutQuoted = (text: string) => text.replace(/"[^"]*"/g, '""');

it('property: budget, recommend and custom limits never print NaN or Infinity, whatever number is typed', async () => {
  await fc.assert(
    fc.asyncProperty(
      typed,
      fc.constantFrom(
        'machines',
        'pool',
        'processes',
        'direct',
        'maxClient',
        'maxDb',
        'reserve',
        'headroom',
        'directLimit',
      ),
      async (value, where) => {
        const group =
          {
            machines: `web=${value}x10`,
            pool: `web=3x${value}`,
            processes: `web=3x10x${value}`,
          }[where as 'machines' | 'pool' | 'processes'] ?? 'web=3x10';
        const argv = ['budget', '--mode', 'session', '--group', group];
        if (where === 'maxClient' || where === 'maxDb' || where === 'reserve') {
          argv.push(
            '--max-client-conn',
            where === 'maxClient' ? value : '200',
            '--max-db-conn',
            where === 'maxDb' ? value : '50',
          );
          if (where === 'reserve') argv.push('--reserve', value);
        } else argv.push('--plan', 'basic');
        if (where === 'direct') argv.push('--direct', value);
        if (where === 'directLimit') argv.push('--direct', '1', '--direct-limit', value);
        if (where === 'headroom') argv.push('--recommend', '--headroom', value);
        const { code, text } = await output(argv);
        expect(withoutQuoted(text), argv.join(' ')).not.toMatch(/NaN|Infinity/);
        expect([0, 1, 2]).toContain(code);
        if (value.trim() === '') expect(code, `${argv.join(' ')}: an empty value is refused`).toBe(2);
      },
    ),
    { numRuns: 1_000 },
  );
});
