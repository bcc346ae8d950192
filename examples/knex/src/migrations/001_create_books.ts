import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('knex_example_books', (table) => {
    table.increments('id');
    table.text('title').notNullable();
    table.integer('copies').notNullable().defaultTo(0);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('knex_example_books');
}
