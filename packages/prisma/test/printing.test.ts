import { inspect } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import { it } from 'vitest';
import { assertNoPasswordPrinted, jsonOf, printedThrough } from '../../../test-support/password-fuzz.ts';
import { prisma6Urls, prismaAdapter, prismaConfig, prismaMigrationAdapter } from '../src/index.ts';

// Every object @mpgkit/prisma builds prints without the password (test-support/password-fuzz.ts). prisma6Urls
// are the URLs Prisma 6 reads from the environment: strings, which must hold the password.
it('no object @mpgkit/prisma builds prints a password (10,000 generated passwords)', {
  timeout: 300_000,
}, () => {
  assertNoPasswordPrinted(
    printedThrough((policy) => {
      const adapter = prismaAdapter(policy, PrismaPg);
      const migration = prismaMigrationAdapter(policy, PrismaPg);
      const config = prismaConfig(policy);
      return {
        'util.inspect(prismaAdapter)': inspect(adapter, { depth: 8 }),
        'JSON.stringify(prismaAdapter)': jsonOf(adapter),
        'util.inspect(prismaMigrationAdapter)': inspect(migration, { depth: 8 }),
        'util.inspect(prismaConfig)': inspect(config, { depth: 8 }),
        'JSON.stringify(prismaConfig)': jsonOf(config),
        'util.inspect(prisma6Urls)': inspect(prisma6Urls(policy)),
      };
    }),
  );
});
