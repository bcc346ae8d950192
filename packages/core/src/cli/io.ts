/** Where a command writes: injectable so commands are testable without a child process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit codes of every `mpgkit` command. */
export const ExitCode = {
  /** Everything fits / works. */
  Ok: 0,
  /** The check failed (budget over, doctor found a problem). */
  Failed: 1,
  /** The command line was wrong. */
  Usage: 2,
} as const;

/** The process's own stdout and stderr. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
};
