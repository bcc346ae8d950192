// The app: a Sequelize model through the pooled (transaction-mode) URL.
import { createSequelize } from '@mpgkit/sequelize';
import { DataTypes } from 'sequelize';
import { policy } from './db-policy.ts';

const sequelize = createSequelize(policy);
const Ticket = sequelize.define(
  'Ticket',
  {
    subject: { type: DataTypes.TEXT, allowNull: false },
    status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'open' },
    openedAt: { type: DataTypes.DATE, allowNull: false },
  },
  { tableName: 'sequelize_example_tickets', timestamps: false },
);
try {
  const ticket = await Ticket.create({ subject: 'proxy restarted at 3 a.m.', openedAt: new Date() });
  await sequelize.transaction(async (transaction) => {
    await ticket.update({ status: 'closed' }, { transaction });
  });
  const open = await Ticket.count({ where: { status: 'open' } });
  console.log(
    `ticket ${ticket.get('id')}: ${ticket.get('status')}; ${open} open; pool size ${policy.poolSize} (${policy.poolMode} mode)`,
  );
} finally {
  await sequelize.close();
}
