import { fileURLToPath } from 'node:url';
import { attachStack } from '@mpgkit/test-infra';
import { concurrentQueries } from '@mpgkit/test-infra/conformance';
import { describe, expect, inject, it } from 'vitest';

const stack = attachStack(inject('mpgkitStack'));
const subject = {
  name: 'postgres.js defaults',
  module: fileURLToPath(new URL('./naive-postgres-js-subject.ts', import.meta.url)),
};

// Measured with postgres 3.4.9 through PgBouncer 1.18 (transaction mode): the default client sends a named
// statement per query. When one is missing on the server connection PgBouncer picked, postgres.js
// re-prepares it under a new name and retries (src/connection.js, retryRoutines), so queries mostly
// succeed, but hundreds of named statements pile up on pooled server connections, where any client can
// collide with them. The policy-built client (prepare: false) sends none (conformance scenario 2).
// Each query is bounded by a 5 s timeout, so a hang would count as an error, not a stuck run.
describe('negative control: postgres.js with default options through the transaction pooler', () => {
  it.each([
    ['tagged-template queries', false],
    ["Drizzle's .prepare()", true],
  ])('%s put named statements on pooled server connections', async (_, usePrepared) => {
    const outcome = await concurrentQueries({
      stack,
      mode: 'transaction',
      subject,
      clients: 8,
      perClient: 15,
      usePrepared,
    });
    expect(outcome.namedStatements.length).toBeGreaterThan(10);
  });
});
