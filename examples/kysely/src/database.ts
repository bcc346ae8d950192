import type { Generated } from 'kysely';

export interface Database {
  kysely_example_notes: { id: Generated<number>; body: string; created_at: Generated<Date> };
}
