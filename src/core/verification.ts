/**
 * The verification code: a short number both people read to each other to check that nobody sits
 * in the middle of the call, the signaling server included.
 *
 * It is derived from the two DTLS certificates the browsers actually used (as `getStats()` reports
 * them after the handshake), not from the fingerprints written in the SDP: a signaling server that
 * swaps those lines either breaks the handshake, or terminates DTLS itself with certificates of its
 * own, and then each side sees a different pair of certificates and a different code.
 */

/** Digits in the code: 10^15 ≈ 2^49.8, well above the 40 bits a live, spoken comparison needs. */
const CODE_DIGITS = 15;
const CONTEXT = 'video-consult verification v1';

/** The `certificate` entry of getStats() (not in TypeScript's DOM types yet). */
interface CertificateStats extends RTCStats {
  fingerprint: string;
  fingerprintAlgorithm: string;
}

/** The local and remote DTLS certificate fingerprints of a connected peer connection, or undefined before the handshake. */
export async function dtlsFingerprints(pc: RTCPeerConnection): Promise<{ local: string; remote: string } | undefined> {
  const stats = await pc.getStats();
  let transport: RTCTransportStats | undefined;
  stats.forEach((s) => {
    if (s.type === 'transport' && (s as RTCTransportStats).dtlsState === 'connected') transport = s as RTCTransportStats;
  });
  if (!transport?.localCertificateId || !transport.remoteCertificateId) return undefined;
  const local = stats.get(transport.localCertificateId) as CertificateStats | undefined;
  const remote = stats.get(transport.remoteCertificateId) as CertificateStats | undefined;
  if (!local?.fingerprint || !remote?.fingerprint) return undefined;
  const norm = (c: CertificateStats) => `${c.fingerprintAlgorithm.toLowerCase()} ${c.fingerprint.toUpperCase()}`;
  return { local: norm(local), remote: norm(remote) };
}

/**
 * The code for a pair of fingerprints. The order is fixed (sorted), so both sides compute the
 * same code from the same pair; formatted in groups of three digits, e.g. `482 913 075 266 381`.
 */
export async function verificationCode(a: string, b: string): Promise<string> {
  const [first, second] = [a, b].sort();
  const input = new TextEncoder().encode(`${CONTEXT}\n${first}\n${second}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  let n = 0n;
  for (const byte of digest.subarray(0, 8)) n = (n << 8n) | BigInt(byte);
  const digits = (n % 10n ** BigInt(CODE_DIGITS)).toString().padStart(CODE_DIGITS, '0');
  return digits.match(/.{3}/g)!.join(' ');
}
