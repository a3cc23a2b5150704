// Starts the real signaling server (from dist/) for the browser test run, and tells tests where it is.
import { createSignalingServer } from '../../dist/server/index.js';

/** A web-test-runner plugin: `executeServerCommand('vc:signaling')` answers `{url, signalUrl}`. */
export function signalingPlugin() {
  /** @type {import('../../dist/server/index.js').SignalingServer | undefined} */
  let server;
  /** Extra servers that single tests asked for, by id. */
  const extra = new Map();
  let nextId = 0;
  return {
    name: 'vc-signaling',
    async serverStart() {
      server = await createSignalingServer({ port: 0, demo: true, log: false, heartbeatMs: 2000 });
    },
    async serverStop() {
      await server?.close();
      await Promise.all([...extra.values()].map((s) => s.close()));
    },
    async executeCommand({ command, payload }) {
      if (command === 'vc:signaling') return { url: server.url, signalUrl: server.signalUrl };
      if (command === 'vc:signaling-start') {
        // A server of a test's own, e.g. with other options, or to be stopped mid-call.
        // `captureLogs: true` keeps every log entry (at every level) for `vc:signaling-logs`.
        const { captureLogs, ...options } = payload ?? {};
        const logs = [];
        const own = await createSignalingServer({
          port: 0,
          demo: true,
          heartbeatMs: 2000,
          ...options,
          log: captureLogs ? (entry) => logs.push(entry) : false,
        });
        const id = String(++nextId);
        extra.set(id, Object.assign(own, { logs }));
        return { id, url: own.url, signalUrl: own.signalUrl };
      }
      if (command === 'vc:signaling-logs') return extra.get(payload.id)?.logs ?? [];
      if (command === 'vc:signaling-stop') {
        const own = extra.get(payload.id);
        extra.delete(payload.id);
        await own?.close();
        return true;
      }
      return undefined;
    },
  };
}
