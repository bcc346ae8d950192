import { writeFileSync } from 'node:fs';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to an SVG file, headless (Vega's SVG renderer needs no canvas). */
export async function renderChart(spec: TopLevelSpec, path: string): Promise<void> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  writeFileSync(path, await view.toSVG());
  view.finalize();
}
