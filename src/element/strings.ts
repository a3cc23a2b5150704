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

/**
 * English. Its error texts are added by `strings-errors.ts`, which comes with the call engine (an
 * error can only happen once a call starts), so that a page loads them only when someone joins.
 */
const en: Strings = {
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
