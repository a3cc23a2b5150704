import { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../protocol/index.js';
import { CheckCode, CheckStatus, StepId, THRESHOLDS, type StepResult } from './types.js';

/** Loopback names, where `ws://` is fine (development, tests): browsers treat them as secure too. */
const LOCAL = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/**
 * Step 5: opens a WebSocket to the signaling server with the call's subprotocol and times the
 * handshake, then closes it. It sends nothing: no join, no room.
 */
export async function checkSignaling(
  server: string | undefined,
  token: string | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<StepResult> {
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
    return result(CheckStatus.Skip, CheckCode.NotConfigured, { server: server || null });
  }
  const tls = url.protocol === 'wss:';
  const figures = { host: url.host, tls, connectMs: null as number | null };
  const protocols = token ? [SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + token] : [SUBPROTOCOL];
  const opened = await new Promise<boolean>((resolve, reject) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, protocols);
    } catch {
      resolve(false);
      return;
    }
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      socket.onopen = socket.onerror = socket.onclose = null;
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(1000);
      resolve(ok);
    };
    const abort = () => {
      finish(false);
      reject(signal.reason);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    signal.addEventListener('abort', abort);
    socket.onopen = () => {
      figures.connectMs = Math.round(performance.now() - started);
      finish(true);
    };
    socket.onerror = socket.onclose = () => finish(false);
  });
  if (!opened) return result(CheckStatus.Fail, CheckCode.SignalingUnreachable, figures);
  if (!tls && !LOCAL.test(url.hostname)) return result(CheckStatus.Warn, CheckCode.SignalingInsecure, figures);
  if ((figures.connectMs ?? 0) > THRESHOLDS.slowSignalingMs) return result(CheckStatus.Warn, CheckCode.SignalingSlow, figures);
  return result(CheckStatus.Pass, CheckCode.SignalingOk, figures);
}
