// The mpgkit command line, for programs that run it in-process, and the cluster file's helper. The bin is
// dist/main.mjs.

export type { AppFleetSources } from './app-fleet.ts';
export {
  type Cluster,
  type ClusterAppSources,
  type ClusterDeclaration,
  defineCluster,
} from './cluster-file.ts';
export { type CliIo, ExitCode, processIo } from './io.ts';
export { runCli, USAGE } from './run-cli.ts';
