// `pnpm bench`: every benchmark in one run, side by side; results in results/*.json and *.svg.
import { existsSync } from 'node:fs';
import { runDrainBench } from './drain.ts';
import { runFaultBench } from './faults.ts';
import { runFleetBench } from './fleet.ts';
import { runOverheadBench } from './overhead.ts';
import { runStartupBench } from './startup.ts';
import { runStormBench } from './storms.ts';
import { writeSummary } from './summary.ts';

const log = (line: string) => console.log(line);

const only = process.argv.slice(2);
const benches: Array<[string, (log: (line: string) => void) => Promise<unknown>]> = [
  ['startup', runStartupBench],
  ['overhead', runOverheadBench],
  ['fleet', runFleetBench],
  ['drain', runDrainBench],
  ['faults', runFaultBench],
  ['storms', runStormBench],
];
for (const [name, run] of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  const started = Date.now();
  log(`${name}:`);
  await run(log);
  const chart = existsSync(new URL(`../results/${name}.svg`, import.meta.url)) ? `, results/${name}.svg` : '';
  log(`  (${((Date.now() - started) / 1000).toFixed(1)} s; results/${name}.json${chart})`);
}
writeSummary();
log('summary: results/summary.md');
