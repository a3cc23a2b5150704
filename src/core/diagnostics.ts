import type { QualityReport } from './quality.js';
import { readSecurityInfo } from './security.js';
import type { CallState, MediaState } from './session-types.js';

/** The facts of a call that a support snapshot reports, besides the connection's own statistics. */
export interface DiagnosticFacts {
  pc?: RTCPeerConnection;
  state: CallState;
  role: string;
  error?: string;
  signaling: { connected: boolean; reconnectAttempts: number };
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  localMedia: MediaState;
  remoteMedia: MediaState;
  quality?: QualityReport;
  verificationCode?: string;
}

/**
 * A snapshot for support: state, quality figures, security facts, ICE servers (without
 * credentials), the path in use, and the connection's and negotiation's states. It holds no
 * names, messages or addresses.
 */
export async function collectDiagnostics({ pc, iceServers, ...facts }: DiagnosticFacts): Promise<Record<string, unknown>> {
  const candidates: Record<string, number> = {};
  const codecs = new Set<string>();
  if (pc) {
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'local-candidate' || s.type === 'remote-candidate') {
        const key = `${s.type === 'local-candidate' ? 'local' : 'remote'}-${s.candidateType}-${s.protocol}`;
        candidates[key] = (candidates[key] ?? 0) + 1;
      }
      if (s.type === 'codec') codecs.add(s.mimeType);
    });
  }
  return {
    at: new Date().toISOString(),
    userAgent: typeof navigator === 'object' ? navigator.userAgent : undefined,
    state: facts.state,
    role: facts.role,
    error: facts.error,
    signaling: facts.signaling,
    connectionState: pc?.connectionState,
    iceConnectionState: pc?.iceConnectionState,
    signalingState: pc?.signalingState,
    iceServers: iceServers.map((server) => server.urls),
    iceTransportPolicy: facts.iceTransportPolicy,
    candidates,
    codecs: [...codecs],
    localMedia: facts.localMedia,
    remoteMedia: facts.remoteMedia,
    quality: facts.quality,
    security: pc ? await readSecurityInfo(pc) : undefined,
    verificationCode: facts.verificationCode,
  };
}
