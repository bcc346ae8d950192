// Fleet: a simulated fleet against plan-shaped PgBouncer limits, in session and transaction mode:
// clients served, starved and refused, beside the budget verdict core predicts for the same fleet.
import { type BudgetVerdict, checkPoolBudget, type DeployStrategy } from '@mpgkit/core';
import { type FleetShape, simulateFleet, startStack } from '@mpgkit/test-infra';
import { renderChart } from './chart.ts';
import { RESULTS_DIR, writeResult } from './results.ts';

// MPG Basic (200 client / 50 database / 10 reserve), scaled down by 5 so fleets that break it fit here.
const PLAN = { name: 'Basic ÷ 5', maxClientConnections: 40, maxDatabaseConnections: 10, reservePool: 2 };

const SHAPES: ReadonlyArray<{ label: string; shape: FleetShape; deploy?: DeployStrategy }> = [
  { label: 'session 2×4', shape: { mode: 'session', processes: 2, poolSize: 4 } },
  { label: 'session 3×3', shape: { mode: 'session', processes: 3, poolSize: 3 } },
  { label: 'session 3×5', shape: { mode: 'session', processes: 3, poolSize: 5 } },
  {
    label: 'session 2×4, bluegreen peak',
    shape: { mode: 'session', processes: 2, poolSize: 4 },
    deploy: 'bluegreen',
  },
  { label: 'transaction 5×6', shape: { mode: 'transaction', processes: 5, poolSize: 6 } },
  {
    label: 'transaction 2×4, bluegreen peak',
    shape: { mode: 'transaction', processes: 2, poolSize: 4 },
    deploy: 'bluegreen',
  },
  { label: 'transaction 6×8', shape: { mode: 'transaction', processes: 6, poolSize: 8 } },
];

export async function runFleetBench(log: (line: string) => void) {
  const stack = await startStack({
    limits: { ...PLAN, reservePoolTimeoutSeconds: 1, queryWaitTimeoutSeconds: 30 },
  });
  const rows: Array<{
    label: string;
    predicted: BudgetVerdict;
    observed: BudgetVerdict;
    connections: number;
    served: number;
    starved: number;
    refused: number;
    matches: boolean;
  }> = [];
  try {
    for (const { label, shape, deploy } of SHAPES) {
      const predicted = checkPoolBudget({
        plan: PLAN,
        poolMode: shape.mode,
        deploy: deploy ?? 'rolling',
        groups: [{ name: 'app', machines: shape.processes, poolSize: shape.poolSize }],
      }).verdict;
      // A bluegreen deploy runs the old and new machines side by side: simulate the doubled fleet.
      const simulated = deploy === 'bluegreen' ? { ...shape, processes: shape.processes * 2 } : shape;
      const observation = await simulateFleet(stack, simulated);
      const row = { label, predicted, ...observation, matches: predicted === observation.observed };
      rows.push(row);
      log(
        `  ${label.padEnd(32)} predicted ${predicted.padEnd(7)} observed ${observation.observed.padEnd(7)} served ${observation.served}/${observation.connections}, starved ${observation.starved}, refused ${observation.refused}`,
      );
    }
  } finally {
    await stack.down();
  }
  writeResult('fleet', {
    description: `Plan-shaped PgBouncer (${PLAN.maxClientConnections} client / ${PLAN.maxDatabaseConnections} database / ${PLAN.reservePool} reserve connections); every connection of the fleet busy at once for 2.5 s. Target: the verdict matches in every shape.`,
    plan: PLAN,
    allMatch: rows.every((row) => row.matches),
    rows,
  });
  await renderChart(
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: `Simulated fleets on a plan-shaped PgBouncer (${PLAN.maxClientConnections}/${PLAN.maxDatabaseConnections}/${PLAN.reservePool}): what happened vs what core predicted`,
      data: {
        values: rows.flatMap((row) =>
          (['served', 'starved', 'refused'] as const).map((outcome) => ({
            shape: `${row.label} — predicted ${row.predicted}, observed ${row.observed}`,
            outcome,
            connections: row[outcome],
          })),
        ),
      },
      width: 420,
      height: 260,
      mark: 'bar',
      encoding: {
        y: { field: 'shape', type: 'nominal', title: null, sort: null, axis: { labelLimit: 480 } },
        x: { field: 'connections', type: 'quantitative', stack: true },
        color: {
          field: 'outcome',
          type: 'nominal',
          scale: { domain: ['served', 'starved', 'refused'], range: ['#4c9a5a', '#e0a030', '#c33'] },
        },
      },
    },
    `${RESULTS_DIR}fleet.svg`,
  );
  return rows;
}
