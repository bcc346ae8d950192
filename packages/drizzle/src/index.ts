// Driver-free: drizzle-kit's config. The clients live in '@mpgkit/drizzle/node-postgres' and
// '@mpgkit/drizzle/postgres-js' (each re-exports this too), so an app installs only the driver it uses.
export {
  type DrizzleKitCredentials,
  type DrizzleKitDatabase,
  drizzleKitConfig,
} from './cli-config.ts';
