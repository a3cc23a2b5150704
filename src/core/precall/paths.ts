import { CheckCode, CheckStatus, StepId, type FirewallFacts, type PathResult, type StepResult } from './types.js';

/** One URL of the ICE configuration, with its credentials and what trying it proves. */
export interface IcePath {
  kind: PathResult['kind'];
  url: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  server: RTCIceServer;
}

/** Splits the ICE configuration into the paths to try, one per URL (RFC 7064 / 7065 syntax). */
export function icePaths(iceServers: readonly RTCIceServer[]): IcePath[] {
  const paths: IcePath[] = [];
  for (const server of iceServers) {
    const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
    for (const url of urls) {
      const m = /^(stun|stuns|turn|turns):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/i.exec(url.trim());
      if (!m) continue;
      const scheme = m[1]!.toLowerCase();
      const secure = scheme.endsWith('s');
      const transport = secure ? 'tcp' : ((m[4]?.toLowerCase() as 'udp' | 'tcp' | undefined) ?? 'udp');
      const port = m[3] ? Number(m[3]) : secure ? 5349 : 3478;
      const kind: IcePath['kind'] = scheme.startsWith('stun') ? 'srflx' : secure ? 'turn-tls' : transport === 'tcp' ? 'turn-tcp' : 'turn-udp';
      // A STUN server over TCP/TLS gives no server-reflexive UDP candidate in browsers; skip it.
      if (kind === 'srflx' && (secure || transport === 'tcp')) continue;
      if (paths.some((p) => p.kind === kind && p.host === m[2] && p.port === port)) continue;
      paths.push({ kind, url, host: m[2]!, port, transport, server });
    }
  }
  return paths;
}

/** What a firewall has to let through for these paths (and the relay range, when known). */
export function firewallFacts(paths: readonly IcePath[], relayPortRange?: string): FirewallFacts {
  const hosts = [...new Set(paths.map((p) => p.host))];
  const ports = [...new Set(paths.map((p) => `${p.port}/${p.transport}`))];
  return { hosts, ports, ...(relayPortRange ? { relayPorts: `${relayPortRange}/udp` } : {}) };
}

/**
 * Tries one path on its own: a peer connection with only this server, the relay forced for TURN,
 * and a data channel so that ICE gathers. It passes once the candidate that proves the path
 * appears: a relay candidate for TURN, a server-reflexive one for STUN.
 */
export async function probePath(path: IcePath, timeoutMs: number, signal: AbortSignal): Promise<PathResult> {
  const started = performance.now();
  const { urls: _urls, ...credentials } = path.server;
  const pc = new RTCPeerConnection({
    iceServers: [{ ...credentials, urls: [path.url] }],
    iceTransportPolicy: path.kind === 'srflx' ? 'all' : 'relay',
  });
  const wanted = path.kind === 'srflx' ? 'srflx' : 'relay';
  try {
    let errorCode: number | undefined;
    const outcome = await new Promise<'found' | 'gathered' | 'timeout'>((resolve, reject) => {
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      const abort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', abort, { once: true });
      function finish(value: 'found' | 'gathered' | 'timeout') {
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
        resolve(value);
      }
      pc.onicecandidate = ({ candidate }) => {
        if (candidate?.type === wanted) finish('found');
        else if (!candidate) finish('gathered');
      };
      pc.onicecandidateerror = (event) => {
        // 701: the server could not be reached; 401: credentials refused; 403: forbidden by policy.
        errorCode = event.errorCode;
      };
      pc.createDataChannel('precall-probe');
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch(reject);
    });
    const ms = Math.round(performance.now() - started);
    if (outcome === 'found') return { kind: path.kind, url: path.url, status: CheckStatus.Pass, ms };
    // A STUN server that answered but reported our host address gives no srflx candidate (no NAT,
    // e.g. on a public address or on loopback): Chromium drops a reflexive candidate equal to the
    // host one. Gathering completed without an error for it, so UDP to the server works.
    if (path.kind === 'srflx' && outcome === 'gathered' && errorCode === undefined) {
      return { kind: path.kind, url: path.url, status: CheckStatus.Pass, ms };
    }
    // Still gathering, and no error from the server either: on some hosts one interface keeps
    // retrying long after the others are done. Unproven, not failed.
    if (path.kind === 'srflx' && outcome === 'timeout' && errorCode === undefined) {
      return { kind: path.kind, url: path.url, status: CheckStatus.Warn, ms };
    }
    return { kind: path.kind, url: path.url, status: CheckStatus.Fail, ms, ...(errorCode !== undefined ? { errorCode } : {}) };
  } finally {
    pc.onicecandidate = pc.onicecandidateerror = null;
    pc.close();
  }
}

/** Step 6: every path, each on its own (at the same time, so that the slowest one bounds the step). */
export async function checkNetwork(paths: readonly IcePath[], timeoutMs: number, signal: AbortSignal): Promise<StepResult> {
  const started = performance.now();
  const results = await Promise.all(paths.map((p) => probePath(p, timeoutMs, signal)));
  const ok = (kind: PathResult['kind']) => results.some((r) => r.kind === kind && r.status === CheckStatus.Pass);
  const tried = (kind: PathResult['kind']) => results.some((r) => r.kind === kind);
  const failed = (kind: PathResult['kind']) => results.some((r) => r.kind === kind && r.status === CheckStatus.Fail);
  const relays = results.filter((r) => r.kind !== 'srflx');
  const figures = {
    directUdp: tried('srflx') ? (ok('srflx') ? true : failed('srflx') ? false : null) : null,
    turnUdp: tried('turn-udp') ? ok('turn-udp') : null,
    turnTcp: tried('turn-tcp') ? ok('turn-tcp') : null,
    turnTls: tried('turn-tls') ? ok('turn-tls') : null,
  };
  const step = (status: CheckStatus, code: CheckCode): StepResult => ({
    id: StepId.Network,
    status,
    code,
    figures,
    paths: results,
    durationMs: Math.round(performance.now() - started),
  });
  if (relays.length === 0) {
    if (results.length === 0) return step(CheckStatus.Skip, CheckCode.NotConfigured);
    return step(ok('srflx') ? CheckStatus.Warn : CheckStatus.Fail, CheckCode.TurnNotConfigured);
  }
  const anyRelay = relays.some((r) => r.status === CheckStatus.Pass);
  if (!anyRelay) {
    const refused = relays.some((r) => r.errorCode === 401);
    return step(CheckStatus.Fail, refused ? CheckCode.TurnAuthFailed : CheckCode.TurnUnreachable);
  }
  // A relay allocated over UDP proves UDP to the server works, whatever the STUN probe could show.
  const udpFailed = tried('turn-udp') ? !ok('turn-udp') : failed('srflx');
  if (udpFailed) return step(CheckStatus.Warn, CheckCode.UdpBlocked);
  return step(CheckStatus.Pass, CheckCode.NetworkOk);
}
