// Driver-free helpers. The clients live in '@mpgkit/drizzle/node-postgres' and '@mpgkit/drizzle/postgres-js',
// so an app installs only the driver it uses.
export { drizzleKitCredentials } from './drizzle-kit-config.ts';
