// The session's side of file transfer: one engine for the whole call, handed each new
// RTCPeerConnection with attach() instead of being built again (so transfers in flight go on).
// The engine is a stand-in that records what the wiring does; no connection is needed.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { FileTransferManager, FileTransferOptions } from '../../src/file-transfer/manager.js';
import { provideFileTransfer } from '../../src/file-transfer/registry.js';
import { FileWiring } from '../../src/core/file-wiring.js';

/** Connections are only compared by identity here. */
const connection = (name: string) => ({ name }) as unknown as RTCPeerConnection;

function engines() {
  const built: { options: FileTransferOptions; attached: RTCPeerConnection[]; closed: number; listeners: Map<string, (detail: unknown) => void> }[] =
    [];
  provideFileTransfer((options) => {
    const engine = { options, attached: [] as RTCPeerConnection[], closed: 0, listeners: new Map<string, (detail: unknown) => void>() };
    built.push(engine);
    return {
      attach: (pc: RTCPeerConnection) => engine.attached.push(pc),
      close: () => engine.closed++,
      on: (type: string, listener: (detail: unknown) => void) => (engine.listeners.set(type, listener), () => {}),
      handleControl: (data: unknown) => typeof data === 'string' && data.includes('"file-'),
    } as unknown as FileTransferManager;
  });
  return built;
}

describe('file-transfer wiring', () => {
  afterEach(() => provideFileTransfer(undefined as never));

  it('builds the engine on the first connection and moves it to the next ones', () => {
    const built = engines();
    const sent: string[] = [];
    const wiring = new FileWiring({ sendControl: (text) => sent.push(text), emit: () => {}, maxFileSize: 1000, acceptFiles: ['.pdf'] });
    const first = connection('first');
    const second = connection('second');
    wiring.connect(first);
    assert.equal(built.length, 1);
    assert.equal(built[0]!.options.pc, first);
    assert.equal(built[0]!.options.maxSize, 1000);
    assert.deepEqual(built[0]!.options.accept, ['.pdf']);
    built[0]!.options.sendControl('x');
    assert.deepEqual(sent, ['x']);
    wiring.connect(second);
    wiring.connect(connection('third'));
    assert.equal(built.length, 1, 'no second engine');
    assert.deepEqual(
      built[0]!.attached.map((pc) => (pc as unknown as { name: string }).name),
      ['second', 'third'],
    );
    assert.equal(built[0]!.closed, 0, 'a new connection does not end the transfers');
  });

  it('closes the engine when the call ends; the next call builds a new one', () => {
    const built = engines();
    const wiring = new FileWiring({ sendControl: () => {}, emit: () => {} });
    wiring.connect(connection('a'));
    wiring.close();
    assert.equal(built[0]!.closed, 1);
    assert.equal(wiring.manager, undefined);
    wiring.connect(connection('b'));
    assert.equal(built.length, 2);
    assert.equal('maxSize' in built[1]!.options, false, 'no limit unless one is given');
  });

  it("routes file-transfer messages to the engine and passes its events on as the session's", () => {
    const built = engines();
    const events: [string, unknown][] = [];
    const wiring = new FileWiring({ sendControl: () => {}, emit: (type, detail) => events.push([type, detail]) });
    assert.equal(wiring.route('{"type":"file-offer"}'), false, 'no engine yet');
    wiring.connect(connection('a'));
    assert.equal(wiring.route('{"type":"file-offer"}'), true);
    assert.equal(wiring.route('{"type":"chat"}'), false);
    for (const type of ['offer', 'progress', 'received', 'sent', 'error']) built[0]!.listeners.get(type)!({ id: type });
    assert.deepEqual(
      events.map(([type]) => type),
      ['file-offer', 'file-progress', 'file-received', 'file-sent', 'file-error'],
    );
    assert.deepEqual(events[2]![1], { id: 'received' });
  });

  it('does nothing without an engine (the page did not load file transfer)', () => {
    const wiring = new FileWiring({ sendControl: () => {}, emit: () => {} });
    wiring.connect(connection('a'));
    assert.equal(wiring.manager, undefined);
    assert.equal(wiring.route('{"type":"file-offer"}'), false);
    wiring.close();
  });
});
