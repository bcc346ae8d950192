/** A notification as a LISTEN connection receives it. */
export interface ReceivedNotification {
  readonly channel: string;
  readonly payload: string;
  /** The sender's backend pid. */
  readonly processId: number;
}

interface Handover<Connection> {
  readonly next: Connection;
  readonly token: string;
  /** What `next` received before its own marker: the old connection delivers these too, unless it dies first. */
  readonly beforeMarker: ReceivedNotification[];
  /** What `next` received after its marker while the old connection had not reached it yet: delivered next. */
  readonly afterMarker: ReceivedNotification[];
  /** What the old connection delivered since the handover began, to align with `beforeMarker` if it is lost. */
  readonly deliveredByOld: ReceivedNotification[];
  nextSawMarker: boolean;
  /**
   * The old connection: still delivering; at the marker (open, holding what follows in case the next one is
   * lost); lost after reaching the marker; or lost before it.
   */
  old: 'listening' | 'at-marker' | 'lost-at-marker' | 'lost';
  /** What the old connection received after its marker: delivered only if the next one is lost. */
  readonly heldByOld: ReceivedNotification[];
}

/**
 * What losing a connection means: nothing listens any more (`reconnect`); the handover failed and the current
 * connection goes on (`handover-failed`: try again soon); the current one was lost mid-handover and the next
 * one took over (`handed-over`); or the connection was already retired (`retired`).
 */
export type LostOutcome = 'reconnect' | 'handover-failed' | 'handed-over' | 'retired';

/**
 * Delivers the notifications of a chain of LISTEN connections exactly once and in commit order while one
 * connection hands over to the next.
 *
 * PostgreSQL puts every notification in one queue, which each listening backend reads in order: "The single
 * queue allows us to guarantee that notifications are received in commit order" (postgres/postgres,
 * src/backend/commands/async.c, the model comment). A session also receives its own NOTIFY (NOTIFY's docs:
 * "it will get back a notification event, just like all the other listening sessions"). So once the next
 * connection LISTENs, it sends a marker on a private channel both connections listen on: everything before the
 * marker is the old connection's to deliver, everything after it the next one's. The next connection holds
 * back what it receives until the old one reaches the marker, so arrival order is kept and identical
 * notifications stay distinct: no time window is guessed.
 *
 * If the old connection is lost before its marker, the next one's notifications up to its marker are aligned
 * with what the old one delivered (the old one's last run is a prefix of them): exact for distinct
 * notifications; a run of identical ones at the seam may collapse, never repeat.
 *
 * Pure state: the listener owns the connections and says what happened to them.
 */
export class ListenerRelay<Connection> {
  #current: Connection | undefined;
  #handover: Handover<Connection> | undefined;
  readonly #deliver: (notification: ReceivedNotification) => void;
  readonly #tookOver: (old: Connection | undefined) => void;
  /** The private channel the markers travel on (every connection LISTENs on it). */
  readonly markerChannel: string;

  /**
   * @param markerChannel The private channel the markers travel on (every connection LISTENs on it).
   * @param deliver Called once per notification, in commit order.
   * @param tookOver Called once the next connection took over, with the old one if it is still open (close
   *   it), or `undefined` when it was lost before.
   */
  constructor(
    markerChannel: string,
    deliver: (notification: ReceivedNotification) => void,
    tookOver: (old: Connection | undefined) => void,
  ) {
    this.markerChannel = markerChannel;
    this.#deliver = deliver;
    this.#tookOver = tookOver;
  }

  /** The connection delivering now (none while a handover waits for the next one's marker after a loss). */
  get current(): Connection | undefined {
    return this.#current;
  }

  /** The connection taking over, while a handover runs. */
  get next(): Connection | undefined {
    return this.#handover?.next;
  }

  /** `connection` delivers from now on, with no connection before it (the first one, or after a loss). */
  start(connection: Connection): void {
    this.#current = connection;
    this.#handover = undefined;
  }

  /**
   * A handover to `next` begins: call it before `next` LISTENs, and send the marker `token` from `next` once
   * it listens on every channel and the marker channel.
   */
  beginHandover(next: Connection, token: string): void {
    this.#handover = {
      next,
      token,
      beforeMarker: [],
      afterMarker: [],
      deliveredByOld: [],
      nextSawMarker: false,
      old: 'listening',
      heldByOld: [],
    };
  }

  /** `from` received `notification`. */
  received(from: Connection, notification: ReceivedNotification): void {
    const handover = this.#handover;
    if (handover !== undefined && from === handover.next) {
      this.#receivedByNext(handover, notification);
      return;
    }
    // A connection already retired: everything after its marker is the next one's.
    if (from !== this.#current) return;
    if (notification.channel === this.markerChannel) {
      if (handover !== undefined && notification.payload === handover.token) this.#oldReachedMarker(handover);
    } else if (handover?.old === 'at-marker') {
      handover.heldByOld.push(notification); // the next one's to deliver, unless it is lost
    } else {
      this.#deliver(notification);
      handover?.deliveredByOld.push(notification);
    }
  }

  /** `connection` is gone (an error, an end, or too slow to reach its marker): what the listener must do. */
  lost(connection: Connection): LostOutcome {
    const handover = this.#handover;
    if (handover !== undefined && connection === handover.next) {
      this.#handover = undefined;
      switch (handover.old) {
        case 'listening':
          return 'handover-failed';
        case 'at-marker':
          this.#deliverAll(handover.heldByOld); // the old one goes on from its marker
          return 'handover-failed';
        case 'lost-at-marker':
          return 'reconnect';
        case 'lost':
          // Nothing listens now. What it held that the lost old one did not deliver is still news.
          this.#deliverAll(alignedTail(handover, false));
          return 'reconnect';
      }
    }
    if (connection !== this.#current) return 'retired';
    this.#current = undefined;
    if (handover === undefined) return 'reconnect';
    if (handover.nextSawMarker) {
      this.#takeOver(handover, [...alignedTail(handover, true), ...handover.afterMarker]);
    } else {
      // The next one takes over at its marker: from there if the old one reached it, aligned if not.
      handover.old = handover.old === 'at-marker' ? 'lost-at-marker' : 'lost';
    }
    return 'handed-over';
  }

  #receivedByNext(handover: Handover<Connection>, notification: ReceivedNotification): void {
    const oldAtMarker = handover.old === 'at-marker' || handover.old === 'lost-at-marker';
    if (notification.channel === this.markerChannel) {
      if (notification.payload !== handover.token) return;
      handover.nextSawMarker = true;
      if (oldAtMarker) this.#takeOver(handover, []);
      else if (handover.old === 'lost') this.#takeOver(handover, alignedTail(handover, true));
    } else if (handover.nextSawMarker) {
      handover.afterMarker.push(notification);
    } else if (!oldAtMarker) {
      handover.beforeMarker.push(notification);
    }
    // Before its marker, once the old connection reached it: the old one delivered this already.
  }

  #oldReachedMarker(handover: Handover<Connection>): void {
    if (handover.nextSawMarker) this.#takeOver(handover, handover.afterMarker);
    else handover.old = 'at-marker';
  }

  /** The next connection delivers from now on; the old one, if still open, is handed back to be closed. */
  #takeOver(handover: Handover<Connection>, held: readonly ReceivedNotification[]): void {
    const old = this.#current;
    this.#current = handover.next;
    this.#handover = undefined;
    this.#deliverAll(held);
    this.#tookOver(old);
  }

  #deliverAll(held: readonly ReceivedNotification[]): void {
    for (const notification of held) this.#deliver(notification);
  }
}

/**
 * What the next connection received before its marker that the lost old one had not delivered. The old one's
 * deliveries end with the run the next one starts with: find the earliest start in them from which the two
 * agree. `complete`: the next one reached its marker, so that run must fit inside what it received.
 */
function alignedTail(handover: Handover<unknown>, complete: boolean): readonly ReceivedNotification[] {
  const delivered = handover.deliveredByOld;
  const held = handover.beforeMarker;
  for (let start = 0; start <= delivered.length; start++) {
    const run = delivered.length - start;
    if (complete && run > held.length) continue;
    let agree = true;
    for (let i = 0; i < Math.min(run, held.length) && agree; i++) {
      agree = sameNotification(delivered[start + i], held[i]);
    }
    if (agree) return held.slice(Math.min(run, held.length));
  }
  return held;
}

function sameNotification(a: ReceivedNotification | undefined, b: ReceivedNotification | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.channel === b.channel &&
    a.payload === b.payload &&
    a.processId === b.processId
  );
}
