import type { ErrorCode } from '../core/errors.js';

/** What the element says for an error: a short title and what to do about it. */
export interface ErrorText {
  title: string;
  remedy: string;
}

/**
 * The texts of the device panel, screen sharing, picture-in-picture and full screen. Their English
 * defaults come with the call engine (call-media.ts), so they are optional here; German has them all.
 */
export interface MediaStrings {
  /** The device panel's button and title. */
  devices?: string;
  camera?: string;
  microphone?: string;
  speaker?: string;
  flipCamera?: string;
  shareScreen?: string;
  stopSharing?: string;
  /** The bar shown while this side shares its screen. */
  sharing?: string;
  pictureInPicture?: string;
  fullscreen?: string;
}

/** Every text the element shows. Pages override any of them with the `strings` property. */
export interface Strings extends MediaStrings {
  join: string;
  joinHint: string;
  preparing: string;
  waitingPatient: string;
  waitingDoctor: string;
  knock: string;
  /** Under the knock: since when the patient waits, e.g. `14:05`. */
  knockSince: (time: string) => string;
  /** Said to the patient when the doctor lets them in. */
  admitted: string;
  connected: string;
  admit: string;
  decline: string;
  connecting: string;
  reconnecting: string;
  ended: string;
  endedByPeer: string;
  declined: string;
  tryAgain: string;
  hangUp: string;
  /** @deprecated Unused: the camera button keeps the label `cameraOff` and says "pressed" when the camera is off. */
  cameraOn: string;
  cameraOff: string;
  /** @deprecated Unused: the microphone button keeps the label `microphoneOff` and says "pressed" when muted. */
  microphoneOn: string;
  microphoneOff: string;
  peerCameraOff: string;
  peerMuted: string;
  /** Said to screen readers when the other person mutes or unmutes. */
  peerMicOff: string;
  peerMicOn: string;
  enableSound: string;
  dismiss: string;
  you: string;
  chat: string;
  chatPlaceholder: string;
  send: string;
  close: string;
  unread: (count: number) => string;
  info: string;
  verifyTitle: string;
  verifyExplain: string;
  verifyPending: string;
  securityTitle: string;
  securityPlain: string;
  technicalDetails: string;
  encryption: string;
  mediaCipher: string;
  pathDirect: string;
  pathRelayed: string;
  qualityLabel: (direction: 'incoming' | 'outgoing', level: string) => string;
  levels: Record<'good' | 'fair' | 'poor' | 'lost', string>;
  videoPausedLocal: string;
  videoPausedRemote: string;
  poorLink: string;
  saveBandwidth: string;
  sendFile: string;
  files: string;
  dropFiles: string;
  accept: string;
  save: string;
  cancel: string;
  fileWaiting: string;
  fileDone: string;
  timeLeft: (seconds: number) => string;
  doctor: string;
  patient: string;
  /** By error code: the element's own (`ErrorCode`) and file-transfer codes (`file-…`). */
  errors: Partial<Record<ErrorCode | `file-${string}`, ErrorText>> & { unknown: ErrorText };
}

/** A built-in table: a text for every {@link ErrorCode} (test/unit/element-strings.test.ts checks the tables). */
export type CompleteStrings = Strings & { errors: Record<ErrorCode, ErrorText> };

const en: CompleteStrings = {
  join: 'Join the consultation',
  joinHint: 'Your browser will ask to use your camera and microphone.',
  preparing: 'Starting your camera and microphone…',
  waitingPatient: 'You are in the waiting room. The doctor will let you in shortly.',
  waitingDoctor: 'Waiting for the patient to arrive.',
  knock: 'A patient is waiting to be let in.',
  knockSince: (time) => `Waiting since ${time}. The name shows once you let them in.`,
  admitted: 'The doctor let you in. Connecting…',
  connected: 'Connected.',
  admit: 'Let in',
  decline: 'Decline',
  connecting: 'Connecting…',
  reconnecting: 'The connection was interrupted. Reconnecting…',
  ended: 'The consultation has ended.',
  endedByPeer: 'The other person has left. The consultation has ended.',
  declined: 'The doctor could not see you now. Please contact the practice.',
  tryAgain: 'Try again',
  hangUp: 'Leave',
  cameraOn: 'Turn camera on',
  cameraOff: 'Turn camera off',
  microphoneOn: 'Unmute microphone',
  microphoneOff: 'Mute microphone',
  peerCameraOff: 'Camera is off',
  peerMuted: 'Microphone is muted',
  peerMicOff: 'The other person turned their microphone off.',
  peerMicOn: 'The other person turned their microphone on.',
  enableSound: 'Click to hear the other person',
  dismiss: 'Dismiss',
  you: 'You',
  chat: 'Chat',
  chatPlaceholder: 'Write a message',
  send: 'Send',
  close: 'Close',
  unread: (count) => `${count} unread`,
  info: 'Connection security',
  verifyTitle: 'Verification code',
  verifyExplain:
    'Read this code to each other. If it is the same on both screens, nobody is listening in between. If it differs, someone is in between: end the call.',
  verifyPending: 'The code appears once the call is connected.',
  securityTitle: 'What protects this call',
  securityPlain: 'Picture, sound, chat and files go encrypted straight between your two devices. The consultation service cannot see or hear them.',
  technicalDetails: 'Technical details',
  encryption: 'Encryption (DTLS)',
  mediaCipher: 'Audio and video (SRTP)',
  pathDirect: 'Direct connection between the two browsers.',
  pathRelayed: 'Relayed through the clinic’s TURN server, which only sees encrypted data.',
  qualityLabel: (direction, level) => `${direction === 'incoming' ? 'Receiving' : 'Sending'}: ${level}`,
  levels: { good: 'good connection', fair: 'fair connection', poor: 'poor connection', lost: 'connection lost' },
  videoPausedLocal: 'Your video is paused to keep your voice clear. It comes back when the connection improves.',
  videoPausedRemote: 'Video paused to keep the voice clear',
  poorLink: 'Your connection is weak. Close other programs and tabs that use the internet, or move closer to your router.',
  saveBandwidth: 'Turn camera off to keep the sound clear',
  sendFile: 'Send a file',
  files: 'Files',
  dropFiles: 'Drop files here to send them',
  accept: 'Accept',
  save: 'Save',
  cancel: 'Cancel',
  fileWaiting: 'Waiting for the other person to accept',
  fileDone: 'Done',
  timeLeft: (s) => `${s < 60 ? `${Math.ceil(s)} s` : `${Math.ceil(s / 60)} min`} left`,
  doctor: 'Doctor',
  patient: 'Patient',
  errors: {
    unknown: { title: 'Something went wrong.', remedy: 'Reload the page and try again.' },
    'permission-denied': {
      title: 'Camera and microphone are blocked.',
      remedy: 'Click the camera icon in the address bar, allow camera and microphone for this site, then try again.',
    },
    'no-camera': {
      title: 'No camera was found. The call continues with sound only.',
      remedy: 'Connect a camera and reload the page if you want to be seen.',
    },
    'no-microphone': {
      title: 'No microphone was found. The other person cannot hear you.',
      remedy: 'Connect a microphone or headset and reload the page.',
    },
    'no-devices': {
      title: 'No camera or microphone was found.',
      remedy: 'Connect a camera and a microphone (or a headset), then try again.',
    },
    'camera-denied': {
      title: 'The camera is blocked. The call continues with sound only.',
      remedy: 'To be seen, allow the camera for this site (the camera icon in the address bar), then turn the camera on.',
    },
    'camera-busy': {
      title: 'Another program is using your camera. The call continues with sound only.',
      remedy: 'Close other video programs (Zoom, Teams, Skype) or browser tabs using the camera, then turn the camera on.',
    },
    'microphone-busy': {
      title: 'Another program is using your microphone.',
      remedy: 'Close other programs or browser tabs that use the microphone, then try again.',
    },
    'insecure-context': {
      title: 'This page is not secure, so the browser blocks camera and video calls.',
      remedy: 'Open the consultation link that starts with https://.',
    },
    'webrtc-unsupported': {
      title: 'This browser cannot make video calls.',
      remedy: 'Open this page in a current Chrome, Edge, Firefox or Safari.',
    },
    'autoplay-blocked': {
      title: 'Your browser paused the sound.',
      remedy: 'Click "Click to hear the other person".',
    },
    'signaling-unreachable': {
      title: 'The consultation service cannot be reached.',
      remedy: 'Check your internet connection. If it works, a firewall may block the service: try another network.',
    },
    'connection-failed': {
      title: 'No connection to the other person could be made.',
      remedy:
        'Close other programs that use the internet, move closer to your router or use a cable, then try again. In a company network, ask IT to allow video calls (WebRTC).',
    },
    'room-full': {
      title: 'Someone else is already in this consultation in your role.',
      remedy: 'Close other tabs with this consultation, or ask the practice for a new link.',
    },
    'token-required': { title: 'This consultation link is incomplete.', remedy: 'Use the full link the practice sent you.' },
    'token-invalid': { title: 'This consultation link is not valid.', remedy: 'Ask the practice for a new link.' },
    'token-expired': { title: 'This consultation link has expired.', remedy: 'Ask the practice for a new link.' },
    'token-wrong-room': { title: 'This link is for another consultation.', remedy: 'Use the link the practice sent you.' },
    'token-wrong-role': { title: 'This link is for another participant.', remedy: 'Use the link the practice sent you.' },
    'server-full': { title: 'The consultation service is busy.', remedy: 'Try again in a minute.' },
    'rate-limited': { title: 'Too many attempts.', remedy: 'Wait a minute, then try again.' },
    'shutting-down': { title: 'The consultation service is restarting.', remedy: 'Try again in a moment.' },
    replaced: { title: 'This consultation was opened in another tab or device.', remedy: 'Continue there, or try again here.' },
    'join-timeout': {
      title: 'The consultation service did not hear from this page in time.',
      remedy: 'Try again. If it keeps happening, check your internet connection.',
    },
    'slow-consumer': {
      title: 'The connection to the consultation service fell behind.',
      remedy: 'Try again. If it keeps happening, check your internet connection.',
    },
    'chat-too-long': {
      title: 'This message is too long to send.',
      remedy: 'Shorten it to 4000 characters or send it as a file.',
    },
    'not-connected': { title: 'Not connected yet.', remedy: 'Wait until the call is connected.' },
    'files-unavailable': { title: 'Files cannot be sent in this call.', remedy: 'Send the file another way.' },
    'file-declined': { title: 'The other person declined the file.', remedy: '' },
    'file-too-large': { title: 'The file is too large.', remedy: 'Send a smaller file.' },
    'file-type-not-accepted': { title: 'This kind of file is not accepted.', remedy: 'Send a PDF or a picture.' },
    'file-cancelled-by-peer': { title: 'The other person cancelled the file.', remedy: '' },
    'file-stalled': { title: 'The file stopped arriving.', remedy: 'Send it again when the connection is better.' },
    'file-read-failed': { title: 'The file could not be read on the sending device.', remedy: 'Choose the file again and send it.' },
    'file-write-failed': { title: 'The file could not be saved on the receiving device.', remedy: 'Free some space there, then send it again.' },
    'file-failed': { title: 'The file did not arrive intact.', remedy: 'Send it again.' },
    'invalid-room': {
      title: 'This consultation link names no valid consultation.',
      remedy: 'Tell the practice: the room must be 1 to 64 letters, digits, - or _.',
    },
    'invalid-role': { title: 'This page is set up with an unknown role.', remedy: 'Tell the practice: consult-role must be doctor or patient.' },
    'origin-not-allowed': {
      title: 'This website may not use the consultation service.',
      remedy: 'Tell the practice: the service does not allow this page’s address.',
    },
    'device-lost': {
      title: 'Your camera or microphone was disconnected.',
      remedy: 'The call goes on with another one. Plug it in again and choose it in the device settings, if you like.',
    },
    'device-ended': {
      title: 'Your camera or microphone stopped working.',
      remedy: 'Check that it is connected and that no other program or privacy switch has turned it off, then turn it on again.',
    },
    'device-unavailable': {
      title: 'That device cannot be used right now.',
      remedy: 'Close other programs that use it, check that it is connected, or choose another one.',
    },
    'screen-share-cancelled': { title: 'Screen sharing was not started.', remedy: 'Choose "Share screen" again when you are ready.' },
    'screen-share-unavailable': {
      title: 'Screen sharing is not possible here.',
      remedy: 'Use a current browser on a computer, and wait until the call is connected.',
    },
    'media-failed': {
      title: 'The camera or microphone could not be started.',
      remedy: 'Close other programs that use them, check that they are connected, then try again.',
    },
    declined: { title: 'The doctor could not see you now.', remedy: 'Please contact the practice.' },
    'not-allowed': { title: 'Only the doctor can do that.', remedy: 'Wait until the doctor lets you in.' },
    'no-peer': { title: 'The other person is not in the consultation.', remedy: 'Wait for them, or try again.' },
    'not-joined': { title: 'This page lost its place in the consultation.', remedy: 'Try again.' },
    'already-joined': { title: 'This page is already in the consultation.', remedy: 'Reload the page if the call does not go on.' },
    'invalid-message': {
      title: 'The consultation service did not understand this page.',
      remedy: 'Reload the page. If it keeps happening, tell the practice.',
    },
    'unknown-type': { title: 'The consultation service got a request it does not know.', remedy: 'Reload the page to get the current version.' },
    'unsupported-version': { title: 'This page is older than the consultation service.', remedy: 'Reload the page to get the current version.' },
    'message-too-large': { title: 'A message to the consultation service was too large.', remedy: 'Reload the page and try again.' },
    'missing-configuration': {
      title: 'This page is not set up for consultations.',
      remedy: 'Tell the practice: the element needs server, room and consult-role.',
    },
  },
};

/** English, built in. */
export const EN: Strings = en;

/**
 * Other languages register their table here: the npm entry registers German; the script-tag
 * build keeps German in an add-on file (video-consult-de.js) so that the main file stays small.
 * A global symbol is the meeting point, so that separately bundled files find each other.
 */
const TABLES = Symbol.for('video-consult.strings');
const tables = (): Record<string, Strings> => ((globalThis as Record<symbol, Record<string, Strings>>)[TABLES] ??= { en });

/** Adds (or replaces) the texts for a language (`de`), and renders elements already on the page again. */
export function registerStrings(lang: string, table: Strings): void {
  tables()[lang.toLowerCase()] = table;
  if (typeof document === 'object') {
    for (const el of document.querySelectorAll('video-consult')) (el as HTMLElement & { requestUpdate?: () => void }).requestUpdate?.();
  }
}

const LOADERS = Symbol.for('video-consult.strings-loaders');
const loaders = (): Record<string, (() => Promise<unknown>) | undefined> =>
  ((globalThis as Record<symbol, Record<string, () => Promise<unknown>>>)[LOADERS] ??= {});

/**
 * Names a loader for a language's table (the script-tag build loads `video-consult-de.js` from its
 * own folder): it runs once, the first time an element asks for that language; English shows until
 * the table registers itself.
 */
export function provideStringsLoader(lang: string, load: () => Promise<unknown>): void {
  loaders()[lang.toLowerCase()] = load;
}

/** Picks the table for a BCP 47 language tag (`de-CH` → `de`), falling back to English, and applies overrides. */
export function resolveStrings(lang: string, overrides?: Partial<Strings>): Strings {
  const all = tables();
  const tag = lang.toLowerCase();
  const base = all[tag] ?? all[tag.split('-')[0]!] ?? englishWhileLoading([tag, tag.split('-')[0]!]);
  if (!overrides) return base;
  return { ...base, ...overrides, errors: { ...base.errors, ...overrides.errors } };
}

/** Starts the loader of the first of these tags that has one, once (its table re-renders the elements), and gives English meanwhile. */
function englishWhileLoading(tags: string[]): Strings {
  const pending = loaders();
  const tag = tags.find((t) => pending[t]);
  const load = tag && pending[tag];
  if (load) {
    delete pending[tag];
    load().catch(() => undefined);
  }
  return en;
}

/** The text for an error code, with a generic fallback for codes without their own. */
export function errorText(strings: Strings, code: string): ErrorText {
  const errors = strings.errors as Record<string, ErrorText | undefined>;
  return errors[code] ?? (code.startsWith('file-') ? errors['file-failed'] : undefined) ?? strings.errors.unknown;
}
