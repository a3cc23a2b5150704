/**
 * What a call needs once the other side is there: the peer link and the quality controller (with
 * negotiation, statistics and the verification code). `ConsultSession.join()` loads it while the
 * browser asks for camera and microphone, so the script-tag build's first script stays small.
 */
export { PeerLink } from './peer-link.js';
export { QualityController } from './quality-controller.js';
