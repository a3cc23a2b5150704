// The signaling link over an in-memory transport, with Node's fake timers: no server, no browser.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { ServerMessage } from '../../src/protocol/index.js';
import type { OutgoingMessage, Transport, TransportClose } from '../../src/signaling/transport.js';
import { SignalingLink, type SignalingLinkOptions } from '../../src/core/signaling-link.js';

/** A transport whose far end the test plays: it opens, fails, delivers and closes on command. */
class MemoryTransport implements Transport {
  readonly opened: Promise<void>;
  onMessage?: (message: ServerMessage) => void;
  onInvalid?: (code: string, reason: string) => void;
  onClose?: (info: TransportClose) => void;
  sent: OutgoingMessage[] = [];
  closedByClient = false;
  open!: () => void;
  refuse!: () => void;

  constructor() {
    this.opened = new Promise((resolve, reject) => ((this.open = resolve), (this.refuse = () => reject(new Error('refused')))));
    this.opened.catch(() => {});
  }
  send(message: OutgoingMessage): void {
    this.sent.push(message);
  }
  close(): void {
    this.closedByClient = true;
  }
  /** The server closes the connection. */
  drop(info: TransportClose = { reason: 'closed (1006)' }): void {
    this.onClose?.(info);
  }
}

const JOIN: OutgoingMessage = { type: 'join', room: 'room-1', role: 'patient', resume: 'ticket' };
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** A link whose lost connections are always reconnected (as the session does once it has a ticket). */
function setUp(overrides: Partial<SignalingLinkOptions> = {}) {
  const transports: MemoryTransport[] = [];
  const events: string[] = [];
  const controller = new AbortController();
  const link: SignalingLink = new SignalingLink({
    open: () => {
      const transport = new MemoryTransport();
      transports.push(transport);
      return transport;
    },
    rejoin: () => JOIN,
    mediaFlows: () => false,
    onMessage: (message) => events.push(`message:${message.type}`),
    onInvalid: (code) => events.push(`invalid:${code}`),
    onClose: (info) => (events.push(`close:${info.reason}`), link.reconnect()),
    onGiveUp: () => events.push('give-up'),
    signal: controller.signal,
    random: () => 0,
    ...overrides,
  });
  return { link, transports, events, controller };
}

describe('signaling link', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('reconnects at once after a close and takes the place back once the new connection opens', async () => {
    const { link, transports, events } = setUp();
    link.connect();
    transports[0]!.open();
    transports[0]!.drop();
    assert.deepEqual(events, ['close:closed (1006)']);
    assert.equal(link.connected, false, 'a retry is pending');
    mock.timers.tick(0);
    assert.equal(transports.length, 2);
    assert.deepEqual(transports[1]!.sent, [], 'nothing is sent before the connection opens');
    transports[1]!.open();
    await settle();
    assert.deepEqual(transports[1]!.sent, [JOIN]);
    assert.equal(link.connected, true);
  });

  it('backs off between failed attempts: 0, 300, 1200, 2700 ms', async () => {
    const { link, transports } = setUp();
    link.connect();
    transports[0]!.drop();
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      let waited = 0;
      while (transports.length === attempt) {
        mock.timers.tick(100);
        waited += 100;
        assert.ok(waited <= 10_000, 'no attempt within 10 s');
      }
      waits.push(waited);
      transports[attempt]!.refuse();
      await settle();
    }
    // Ticks of 100 ms: a delay of 0 is met by the first tick.
    assert.deepEqual(waits, [100, 300, 1200, 2700]);
  });

  it('gives up when the policy says so, and keeps trying while media flows', async () => {
    const refused = async (mediaFlows: boolean) => {
      const { link, transports, events } = setUp({ mediaFlows: () => mediaFlows });
      link.connect();
      transports[0]!.drop();
      for (let i = 0; i < 12 && !events.includes('give-up'); i++) {
        mock.timers.tick(10_000);
        transports.at(-1)!.refuse();
        await settle();
      }
      return { transports: transports.length, gaveUp: events.includes('give-up') };
    };
    assert.deepEqual(await refused(false), { transports: 11, gaveUp: true });
    assert.deepEqual(await refused(true), { transports: 13, gaveUp: false });
  });

  it('starts the backoff afresh once the server let this side in again', async () => {
    const { link, transports } = setUp();
    link.connect();
    transports[0]!.drop();
    mock.timers.tick(0);
    transports[1]!.refuse();
    await settle();
    assert.equal(link.attempts, 2);
    mock.timers.tick(300);
    transports[2]!.open();
    await settle();
    link.joined();
    assert.equal(link.attempts, 0);
    transports[2]!.drop();
    mock.timers.tick(0);
    assert.equal(transports.length, 4, 'the first retry after a good connection is immediate');
  });

  it('tries at once when the browser is back online, instead of waiting for the backoff', async () => {
    const { link, transports } = setUp();
    link.connect();
    transports[0]!.drop();
    for (const delay of [0, 300, 1200]) {
      mock.timers.tick(delay);
      transports.at(-1)!.refuse();
      await settle();
    }
    assert.equal(transports.length, 4);
    mock.timers.tick(2000); // 2700 ms are due
    assert.equal(transports.length, 4);
    link.online();
    mock.timers.tick(0);
    assert.equal(transports.length, 5);
    assert.equal(link.attempts, 1, 'the backoff starts afresh');
    link.online(); // nothing pending: nothing to hurry
    mock.timers.tick(10_000);
    assert.equal(transports.length, 5);
  });

  it('ignores a connection it has left, and everything once the call run is over', async () => {
    const { link, transports, events, controller } = setUp();
    link.connect();
    transports[0]!.open();
    const old = transports[0]!;
    const onMessage = old.onMessage!;
    link.reconnect(); // e.g. the server said it shuts down
    assert.equal(old.closedByClient, true);
    onMessage({ type: 'knock', waiting: true } as ServerMessage);
    mock.timers.tick(0);
    transports[1]!.onMessage!({ type: 'knock', waiting: true } as ServerMessage);
    assert.deepEqual(events, ['message:knock']);
    controller.abort();
    assert.equal(transports[1]!.closedByClient, true);
    transports[1]!.onMessage?.({ type: 'knock', waiting: false } as ServerMessage);
    link.reconnect();
    mock.timers.tick(60_000);
    assert.equal(transports.length, 2);
    assert.deepEqual(events, ['message:knock']);
  });

  it('passes invalid frames on as warnings', () => {
    const { link, transports, events } = setUp();
    link.connect();
    transports[0]!.onInvalid!('invalid-message', 'not JSON');
    assert.deepEqual(events, ['invalid:invalid-message']);
  });
});
