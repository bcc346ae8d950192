import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core';

export const accounts = pgTable('drizzle_example_accounts', {
  id: serial('id').primaryKey(),
  owner: text('owner').notNull(),
  balance: integer('balance').notNull().default(0),
});
