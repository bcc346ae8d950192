// Stands in for `prisma migrate deploy` (the release_command in fly.toml), whose schema engine cannot be
// downloaded on offline machines: the same table, created with plain SQL on the direct URL.
import { createPgPool } from '@mpgkit/core';
import pg from 'pg';
import { policy } from './db-policy.ts';

const pool = createPgPool(policy, pg.Pool, { target: 'direct', role: 'migrate' });
try {
  await pool.query(
    'CREATE TABLE IF NOT EXISTS prisma_example_visits (id serial PRIMARY KEY, path text NOT NULL, created_at timestamp(3) NOT NULL DEFAULT now())',
  );
  console.log('schema ready (direct URL)');
} finally {
  await pool.end();
}
