import { encode, parseServerMessage, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../protocol/index.js';
import { CheckCode, CheckStatus, StepId, THRESHOLDS, type StepResult } from './types.js';

/** Loopback names, where `ws://` is fine (development, tests): browsers treat them as secure too. */
const LOCAL = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** What the signaling step found, and the ICE servers the server offered (undefined: none asked, or an older server). */
export interface SignalingOutcome {
  step: StepResult;
  iceServers?: RTCIceServer[];
}

/**
 * Step 5: opens a WebSocket to the signaling server with the call's subprotocol and token, times
 * the handshake, and asks for the ICE servers a call would get (`ice-servers`, sent instead of
 * `join`: no room is entered). The server answers and closes. A refusal (a token it does not
 * accept, an origin it does not allow) comes back as a coded error, as it would for the call.
 */
export async function checkSignaling(
  server: string | undefined,
  token: string | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<SignalingOutcome> {
  const started = performance.now();
  const result = (status: CheckStatus, code: CheckCode, figures: StepResult['figures']): StepResult => ({
    id: StepId.Signaling,
    status,
    code,
    figures,
    durationMs: Math.round(performance.now() - started),
  });
  let url: URL;
  try {
    url = new URL(server ?? '');
    if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new TypeError('not a WebSocket URL');
  } catch {
    return { step: result(CheckStatus.Skip, CheckCode.NotConfigured, { server: server || null }) };
  }
  const tls = url.protocol === 'wss:';
  const figures: { host: string; tls: boolean; connectMs: number | null; error?: string } = { host: url.host, tls, connectMs: null };
  const protocols = token ? [SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + token] : [SUBPROTOCOL];
  type Answer = { opened: boolean; refused?: string; iceServers?: RTCIceServer[] };
  const answer = await new Promise<Answer>((resolve, reject) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, protocols);
    } catch {
      resolve({ opened: false });
      return;
    }
    const finish = (value: Answer) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      socket.onopen = socket.onerror = socket.onclose = socket.onmessage = null;
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1000);
      resolve(value);
    };
    const abort = () => {
      finish({ opened: false });
      reject(signal.reason);
    };
    const opened = () => figures.connectMs !== null;
    const timer = setTimeout(() => finish({ opened: opened() }), timeoutMs);
    signal.addEventListener('abort', abort);
    socket.onopen = () => {
      figures.connectMs = Math.round(performance.now() - started);
      socket.send(encode({ type: 'ice-servers' }));
    };
    socket.onmessage = (event) => {
      const parsed = parseServerMessage(typeof event.data === 'string' ? event.data : '');
      if (!parsed.ok) return finish({ opened: true });
      const m = parsed.message;
      if (m.type === 'ice-servers') return finish({ opened: true, iceServers: m.iceServers });
      // A server from before `ice-servers` knows no such message, but took the connection.
      if (m.type === 'error' && m.code === 'unknown-type') return finish({ opened: true });
      if (m.type === 'error') return finish({ opened: true, refused: m.code });
    };
    socket.onerror = socket.onclose = () => finish({ opened: opened() });
  });
  if (answer.refused) {
    figures.error = answer.refused;
    return { step: result(CheckStatus.Fail, CheckCode.SignalingRefused, figures) };
  }
  const outcome = (step: StepResult): SignalingOutcome => (answer.iceServers ? { step, iceServers: answer.iceServers } : { step });
  if (!answer.opened) return outcome(result(CheckStatus.Fail, CheckCode.SignalingUnreachable, figures));
  if (!tls && !LOCAL.test(url.hostname)) return outcome(result(CheckStatus.Warn, CheckCode.SignalingInsecure, figures));
  if ((figures.connectMs ?? 0) > THRESHOLDS.slowSignalingMs) return outcome(result(CheckStatus.Warn, CheckCode.SignalingSlow, figures));
  return outcome(result(CheckStatus.Pass, CheckCode.SignalingOk, figures));
}
