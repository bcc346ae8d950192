// The app: Objection models on a knex built by @mpgkit/knex, through the pooled (transaction-mode) URL.
import { createKnex } from '@mpgkit/knex';
import { Model } from 'objection';
import { policy } from './db-policy.ts';

class Book extends Model {
  declare id: number;
  declare title: string;
  declare copies: number;
  static override tableName = 'knex_example_books';
}

const db = createKnex(policy);
Model.knex(db);
try {
  const book = await Book.query().insert({ title: 'Designing Data-Intensive Applications', copies: 1 });
  const restocked = await Book.transaction(async (trx) => {
    await Book.query(trx).increment('copies', 2).where('id', book.id);
    return Book.query(trx).findById(book.id).throwIfNotFound();
  });
  const total = await Book.query().resultSize();
  console.log(
    `book ${restocked.id}: ${restocked.copies} copies; ${total} books; pool size ${policy.poolSize} (${policy.poolMode} mode)`,
  );
} finally {
  await db.destroy();
}
