/** Where a command writes and what environment it reads: injectable, so commands are testable in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Variables the policy is resolved from. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where relative paths are resolved. @default process.cwd() */
  cwd?: string;
  /** Standard input, for `--scale -`. @default the process's stdin */
  readStdin?: () => Promise<string>;
}

/** Exit codes of every `mpgkit` command. */
export const ExitCode = {
  /** Everything fits / works. */
  Ok: 0,
  /** The check failed (budget over, doctor found a problem, unknown error text). */
  Failed: 1,
  /** The command line was wrong. */
  Usage: 2,
} as const;

/** The process's own stdout, stderr and environment. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
};
