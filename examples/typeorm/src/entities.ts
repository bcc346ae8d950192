import { EntitySchema } from 'typeorm';

export interface Order {
  id: number;
  item: string;
  quantity: number;
}

// EntitySchema works without decorator settings; decorated classes work the same way with the adapter.
export const OrderEntity = new EntitySchema<Order>({
  name: 'Order',
  tableName: 'typeorm_example_orders',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    item: { type: String },
    quantity: { type: Number },
  },
});
