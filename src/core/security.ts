/** What protects the call right now, read from the browser's own statistics. */
export interface SecurityInfo {
  /** DTLS state of the transport: `connected` once the keys are agreed. */
  dtlsState: string;
  /** E.g. `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`. */
  dtlsCipher?: string;
  /** E.g. `AEAD_AES_128_GCM` or `AES_CM_128_HMAC_SHA1_80`. */
  srtpCipher?: string;
  /** E.g. `FEFD` (DTLS 1.2). */
  tlsVersion?: string;
  /** `direct` between the browsers, or `relayed` through a TURN server that sees only ciphertext. */
  path?: 'direct' | 'relayed';
  /** For a relayed path: how this side reaches the relay (`udp`, `tcp`, `tls`). */
  relayProtocol?: string;
}

interface CandidateStats extends RTCStats {
  candidateType?: string;
  relayProtocol?: string;
}

/** Reads the security facts of a peer connection; undefined before the transport exists. */
export async function readSecurityInfo(pc: RTCPeerConnection): Promise<SecurityInfo | undefined> {
  const stats = await pc.getStats();
  let transport: RTCTransportStats | undefined;
  stats.forEach((s) => {
    if (s.type === 'transport') transport ??= s as RTCTransportStats;
  });
  if (!transport) return undefined;
  const info: SecurityInfo = { dtlsState: transport.dtlsState };
  if (transport.dtlsCipher) info.dtlsCipher = transport.dtlsCipher;
  if (transport.srtpCipher) info.srtpCipher = transport.srtpCipher;
  if (transport.tlsVersion) info.tlsVersion = transport.tlsVersion;
  const pair = transport.selectedCandidatePairId ? (stats.get(transport.selectedCandidatePairId) as RTCIceCandidatePairStats | undefined) : undefined;
  if (pair) {
    const local = stats.get(pair.localCandidateId) as CandidateStats | undefined;
    const remote = stats.get(pair.remoteCandidateId) as CandidateStats | undefined;
    const relayed = local?.candidateType === 'relay' || remote?.candidateType === 'relay';
    info.path = relayed ? 'relayed' : 'direct';
    if (local?.candidateType === 'relay' && local.relayProtocol) info.relayProtocol = local.relayProtocol;
  }
  return info;
}
