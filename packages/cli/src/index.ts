// The mpgkit command line, for programs that run it in-process. The bin is dist/main.mjs.

export { type CliIo, ExitCode, processIo } from './io.ts';
export { runCli, USAGE } from './run-cli.ts';
