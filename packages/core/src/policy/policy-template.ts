import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import { TLS_MODES, type TlsMode, type TlsOptions } from '../tls/tls.ts';
import { type DatabaseOptions, rejectUnknownDatabaseOptions } from './database-options.ts';
import { defineDatabase, type Policy } from './policy.ts';

// An organisation's template: the platform team's defaults, which apps extend with their fleet. Settings
// that keep connections safe can only be made stricter by an app (as `keepTighter` does for TypeORM
// overrides): a lifetime or idle timeout no longer than the template's, a drain window no longer, jitter no
// smaller, the guard and the budget check no weaker, TLS no weaker, and transaction mode (so no named
// statements) kept. Everything else (fleet, plan, pool sizes, names) is the app's to set.

/** A published policy template; apps call its {@link PolicyTemplate.defineDatabase}. */
export interface PolicyTemplate {
  /** The template's name (e.g. its package, `@acme/db-policy`), named in every refusal. */
  readonly name: string;
  /** The template's options, frozen. */
  readonly options: Readonly<DatabaseOptions>;
  /**
   * The app's policy: the template's options, then the app's, where a safety setting may only get stricter.
   *
   * @throws {MpgkitError} `WEAKENS_TEMPLATE` naming the template and the field; everything `defineDatabase` throws.
   */
  defineDatabase(options?: DatabaseOptions): Policy;
}

// Whether the app's value is at least as strict as the template's: numbers compare as numbers, modes by their
// rank in an order from loosest to strictest.
type Stricter = (template: unknown, app: unknown) => boolean;
const noLonger: Stricter = (template, app) => (app as number) <= (template as number);
const noSmaller: Stricter = (template, app) => (app as number) >= (template as number);
const ranked =
  (loosestFirst: readonly unknown[]): Stricter =>
  (template, app) =>
    loosestFirst.indexOf(app) >= loosestFirst.indexOf(template);
const offWarnThrow = ranked(['off', 'warn', 'throw']);

// Each safety field: how to tell stricter from looser, and what the refusal says.
const SAFETY_FIELDS: ReadonlyArray<{ field: keyof DatabaseOptions; stricter: Stricter; rule: string }> = [
  { field: 'maxLifetimeSeconds', stricter: noLonger, rule: 'may only be shorter' },
  { field: 'drainWindowSeconds', stricter: noLonger, rule: 'may only be shorter' },
  { field: 'idleTimeoutSeconds', stricter: noLonger, rule: 'may only be shorter' },
  { field: 'lifetimeJitter', stricter: noSmaller, rule: 'may only be larger' },
  {
    field: 'transactionModeGuard',
    stricter: offWarnThrow,
    rule: 'may only be stricter (off < warn < throw)',
  },
  { field: 'budgetCheck', stricter: offWarnThrow, rule: 'may only be stricter (off < warn < throw)' },
  {
    field: 'poolMode',
    // Transaction mode turns named statements off and the guard on: an app may not leave it.
    stricter: (template, app) => template !== 'transaction' || app === 'transaction',
    rule: "stays 'transaction' (named prepared statements stay off)",
  },
];

/**
 * Defines an organisation's policy template: its defaults, which apps extend with their fleet. An app may
 * make a safety setting stricter, never looser.
 *
 * @param name - How the template is named in refusals, e.g. `'@acme/db-policy'`.
 * @example
 * ```ts
 * // @acme/db-policy
 * export const acme = defineTemplate('@acme/db-policy', { poolMode: 'transaction', plan: 'launch', tls: 'verify-full' });
 * // the app's db-policy.ts
 * export const policy = acme.defineDatabase({ fleet: { web: { machines: 3, poolSize: 10 } } });
 * ```
 */
export function defineTemplate(name: string, options: DatabaseOptions): PolicyTemplate {
  rejectUnknownDatabaseOptions(`defineTemplate("${name}")`, options);
  const frozen = Object.freeze({ ...options });
  return Object.freeze({
    name,
    options: frozen,
    defineDatabase: (appOptions: DatabaseOptions = {}) => defineDatabase(merge(name, frozen, appOptions)),
  });
}

function merge(name: string, template: DatabaseOptions, app: DatabaseOptions): DatabaseOptions {
  for (const { field, stricter, rule } of SAFETY_FIELDS) {
    const templateValue = template[field];
    const appValue = app[field];
    if (templateValue === undefined || appValue === undefined) continue;
    if (!stricter(templateValue, appValue)) {
      throw weakens(name, field, String(templateValue), String(appValue), rule);
    }
  }
  return { ...template, ...app, tls: mergedTls(name, template.tls, app.tls) };
}

function mergedTls(
  name: string,
  template: TlsMode | TlsOptions | undefined,
  app: TlsMode | TlsOptions | undefined,
): TlsMode | TlsOptions | undefined {
  if (app === undefined) return template;
  if (template === undefined) return app;
  const t = typeof template === 'string' ? { mode: template } : template;
  const a = typeof app === 'string' ? { mode: app } : app;
  if (t.mode !== undefined && a.mode !== undefined && !ranked(TLS_MODES)(t.mode, a.mode)) {
    throw weakens(name, 'tls', t.mode, a.mode, `may only be stricter (${TLS_MODES.join(' < ')})`);
  }
  if (t.ca !== undefined && a.ca !== undefined && a.ca !== t.ca) {
    throw weakens(name, 'tls.ca', 'its CA', 'another CA', 'stays the CA the template trusts');
  }
  return { ...t, ...a };
}

function weakens(name: string, field: string, template: string, app: string, rule: string): MpgkitError {
  return new MpgkitError(
    MpgkitErrorCode.WeakensTemplate,
    `${field} ${app} would loosen the template ${name} (${field} ${template}): it ${rule}. Remove it, or ask ` +
      `the template's owners to change ${name}.`,
    { details: { template: name, field } },
  );
}
