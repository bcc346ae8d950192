import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListenerRelay, type ReceivedNotification } from './listener-handover.ts';

// A model of PostgreSQL's one notification queue: the old connection reads it from the start, the next one from
// where its LISTEN took effect (p), and the next one's marker sits at m ≥ p. Each connection receives its part
// in queue order; how the two interleave on arrival is arbitrary.
const MARKER_CHANNEL = 'mpgkit_handover_test';
const TOKEN = 'token1';
const marker: ReceivedNotification = { channel: MARKER_CHANNEL, payload: TOKEN, processId: 9 };

const repeating = fc.record({
  channel: fc.constant('orders'),
  payload: fc.constantFrom('', 'a', 'b'),
  processId: fc.constantFrom(1, 2),
});

interface Scenario {
  /** The app's notifications in commit order. */
  stream: ReceivedNotification[];
  /** The queue: the stream with the marker at m. */
  queue: ReceivedNotification[];
  p: number;
  m: number;
  /** Arrival order: true takes the old connection's next notification, false the next one's. */
  arrivals: boolean[];
}

const scenarioOf = (notes: fc.Arbitrary<ReceivedNotification[]>) =>
  fc
    .record({ stream: notes, p: fc.nat(), m: fc.nat(), arrivals: fc.array(fc.boolean(), { maxLength: 100 }) })
    .map(({ stream, p: pDraw, m: mDraw, arrivals }): Scenario => {
      const p = pDraw % (stream.length + 1);
      const m = p + (mDraw % (stream.length - p + 1));
      const queue = [...stream.slice(0, m), marker, ...stream.slice(m)];
      return { stream, queue, p, m, arrivals };
    });
const repeatingScenario = scenarioOf(fc.array(repeating, { maxLength: 30 }));
const distinctScenario = scenarioOf(
  fc
    .integer({ min: 0, max: 30 })
    .map((n) =>
      Array.from({ length: n }, (_, i) => ({ channel: 'orders', payload: String(i), processId: 1 })),
    ),
);

/** Feeds both connections' arrivals; `oldReceives` cuts the old one's part short (it was lost). */
function run(scenario: Scenario, options: { oldReceives?: number; nextReceives?: number } = {}) {
  const delivered: ReceivedNotification[] = [];
  const retired: string[] = [];
  const takeovers: string[] = [];
  const relay = new ListenerRelay<string>(
    MARKER_CHANNEL,
    (n) => delivered.push(n),
    (old) => {
      takeovers.push(relay.current ?? '?');
      if (old !== undefined) retired.push(old);
    },
  );
  relay.start('old');
  relay.beginHandover('next', TOKEN);
  const parts = {
    old: scenario.queue.slice(0, options.oldReceives ?? scenario.queue.length),
    next: scenario.queue.slice(scenario.p, scenario.p + (options.nextReceives ?? scenario.queue.length)),
  };
  const lostAfter = { old: options.oldReceives !== undefined, next: options.nextReceives !== undefined };
  const outcomes: string[] = [];
  const step = (from: 'old' | 'next') => {
    const notification = parts[from].shift();
    if (notification !== undefined) relay.received(from, notification);
    if (parts[from].length === 0 && lostAfter[from]) {
      lostAfter[from] = false;
      outcomes.push(relay.lost(from));
    }
  };
  for (const fromOld of scenario.arrivals) step(fromOld ? 'old' : 'next');
  while (parts.old.length > 0 || parts.next.length > 0 || lostAfter.old || lostAfter.next) {
    step(parts.old.length > 0 || lostAfter.old ? 'old' : 'next');
    step('next');
  }
  return { delivered, retired, takeovers, outcomes, relay };
}

describe('ListenerRelay', () => {
  it('delivers the stream exactly once and in commit order, identical notifications included, however arrivals interleave', () => {
    fc.assert(
      fc.property(repeatingScenario, (scenario) => {
        const { delivered, retired, takeovers, relay } = run(scenario);
        expect(delivered).toEqual(scenario.stream);
        expect(retired).toEqual(['old']);
        expect(takeovers).toEqual(['next']);
        expect(relay.current).toBe('next');
        expect(relay.next).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('a failed handover (the next connection lost before its marker) changes nothing: the old one delivers all', () => {
    fc.assert(
      fc.property(repeatingScenario, fc.nat(), (scenario, cut) => {
        const nextReceives = cut % (scenario.m - scenario.p + 1); // before its marker
        const { delivered, retired, outcomes, relay } = run(scenario, { nextReceives });
        expect(outcomes).toEqual(['handover-failed']);
        expect(delivered).toEqual(scenario.stream);
        expect(retired).toEqual([]);
        expect(relay.current).toBe('old');
      }),
    );
  });

  it('the old connection lost before its marker: the next one takes over, nothing it received is lost or repeated', () => {
    fc.assert(
      fc.property(distinctScenario, fc.nat(), (scenario, cut) => {
        const oldReceives = cut % (scenario.m + 1); // the marker at m never reached it
        const { delivered, outcomes, relay, takeovers, retired } = run(scenario, { oldReceives });
        expect(outcomes).toEqual(['handed-over']);
        // The take-over is announced (the listener schedules the next recycle then), with no old one to close.
        expect({ takeovers, retired }).toEqual({ takeovers: ['next'], retired: [] });
        // What nobody received (after the old one died, before the next one listened) is lost, as in Postgres.
        const received = [
          ...scenario.stream.slice(0, oldReceives),
          ...scenario.stream.slice(Math.max(oldReceives, scenario.p)),
        ];
        expect(delivered).toEqual(received);
        expect(relay.current).toBe('next');
      }),
      { numRuns: 2000 },
    );
  });

  it('with identical notifications, a lost old connection costs at most the run it had just delivered, never a repeat beyond the stream', () => {
    fc.assert(
      fc.property(repeatingScenario, fc.nat(), (scenario, cut) => {
        const oldReceives = cut % (scenario.m + 1);
        const { delivered } = run(scenario, { oldReceives });
        const received = [
          ...scenario.stream.slice(0, oldReceives),
          ...scenario.stream.slice(Math.max(oldReceives, scenario.p)),
        ];
        const key = (n: ReceivedNotification) => `${n.processId}:${n.payload}`;
        const count = (list: ReceivedNotification[], k: string) => list.filter((n) => key(n) === k).length;
        for (const k of new Set(received.map(key)))
          expect(count(delivered, k)).toBeLessThanOrEqual(count(received, k));
        expect(delivered.slice(0, oldReceives)).toEqual(scenario.stream.slice(0, oldReceives));
      }),
    );
  });

  it('without a handover, a lost connection means reconnect; markers never reach the app', () => {
    const delivered: ReceivedNotification[] = [];
    const relay = new ListenerRelay<string>(
      MARKER_CHANNEL,
      (n) => delivered.push(n),
      () => {},
    );
    relay.start('only');
    relay.received('only', marker);
    relay.received('only', { channel: 'orders', payload: 'x', processId: 1 });
    relay.received('stranger', { channel: 'orders', payload: 'y', processId: 1 });
    expect(delivered.map((n) => n.payload)).toEqual(['x']);
    expect(relay.lost('stranger')).toBe('retired');
    expect(relay.lost('only')).toBe('reconnect');
    expect(relay.current).toBeUndefined();
  });
});
