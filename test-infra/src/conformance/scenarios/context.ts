import { defineDatabase, type Policy, type PoolMode } from '@mpgkit/core';
import { showClients } from '../../probes.ts';
import type { Stack } from '../../stack.ts';
import { scaledPolicyOptions } from '../scaled-policy.ts';
import type { AppClient, ConformanceSubject, PolicyOptions, SubjectModule } from '../subject.ts';

// What every scenario shares: its context, the policy it runs under, and the subject's app client.
// Every scenario (one file each, numbered as the suite runs them) measures and returns what happened; the
// suite (and the negative controls) decide what is a pass. Probes read the servers (PgBouncer's SHOW
// CLIENTS, pg_stat_activity, the statement log), never the adapter's own objects.

export const quiet = { warn: () => undefined };

/** A scenario's context: the stack, the pool mode, the subject, and the policy options it runs under. */
export interface ScenarioContext {
  stack: Stack;
  mode: PoolMode;
  subject: ConformanceSubject;
  /** Defaults to {@link scaledPolicyOptions} with an application name unique to the call. */
  policyOptions?: PolicyOptions;
}

let sequence = 0;

/** A number unique to this process's scenarios, for application names. */
export function nextSequence(): number {
  return ++sequence;
}

export function optionsFor(context: ScenarioContext): PolicyOptions {
  const name = `${context.subject.name}-${context.mode}-${nextSequence()}`
    .replace(/[^\w.-]/g, '_')
    .slice(0, 50);
  return context.policyOptions ?? scaledPolicyOptions(context.stack, context.mode, name);
}

export async function load(subject: ConformanceSubject): Promise<SubjectModule> {
  return (await import(subject.module)) as SubjectModule;
}

export async function withApp<T>(
  context: ScenarioContext,
  run: (app: AppClient, policy: Policy) => Promise<T>,
): Promise<T> {
  const policy = defineDatabase({ ...optionsFor(context), logger: quiet });
  const app = await (await load(context.subject)).createAppClient(policy);
  try {
    return await run(app, policy);
  } finally {
    await app.close();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function clientsOf(stack: Stack, mode: PoolMode, applicationName: string) {
  return (await showClients(stack, mode)).filter((client) => client.application_name === applicationName);
}

/** `promise`, or a rejection naming the hang after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`query did not resolve within ${ms} ms (hang)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
