import { appDataSource } from './data-source.ts';
import { policy } from './db-policy.ts';
import { type Order, OrderEntity } from './entities.ts';

await appDataSource.initialize();
try {
  const orders = appDataSource.getRepository<Order>(OrderEntity);
  const order = await orders.save({ item: 'coffee', quantity: 1 });
  await appDataSource.transaction(async (manager) => {
    await manager.increment(OrderEntity, { id: order.id }, 'quantity', 2);
  });
  const reloaded = await orders.findOneByOrFail({ id: order.id });
  console.log(
    `order ${reloaded.id}: ${reloaded.quantity} × ${reloaded.item} (pool ${policy.poolSize}, ${policy.poolMode} mode)`,
  );
} finally {
  await appDataSource.destroy();
}
