import type { ErrorCode } from '../core/errors.js';

/** What the element says for an error: a short title and what to do about it. */
export interface ErrorText {
  title: string;
  remedy: string;
}

/** Every text the element shows. Pages override any of them with the `strings` property. */
export interface Strings {
  join: string;
  joinHint: string;
  preparing: string;
  waitingPatient: string;
  waitingDoctor: string;
  knock: string;
  admit: string;
  decline: string;
  connecting: string;
  reconnecting: string;
  ended: string;
  endedByPeer: string;
  declined: string;
  tryAgain: string;
  hangUp: string;
  cameraOn: string;
  cameraOff: string;
  microphoneOn: string;
  microphoneOff: string;
  peerCameraOff: string;
  peerMuted: string;
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
  doctor: string;
  patient: string;
  errors: Partial<Record<ErrorCode, ErrorText>> & { unknown: ErrorText };
}

const en: Strings = {
  join: 'Join the consultation',
  joinHint: 'Your browser will ask to use your camera and microphone.',
  preparing: 'Starting your camera and microphone…',
  waitingPatient: 'You are in the waiting room. The doctor will let you in shortly.',
  waitingDoctor: 'Waiting for the patient to arrive.',
  knock: 'A patient is waiting to be let in.',
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
  encryption: 'Encryption (DTLS)',
  mediaCipher: 'Audio and video (SRTP)',
  pathDirect: 'Direct connection between the two browsers.',
  pathRelayed: 'Relayed through the clinic’s TURN server, which only sees encrypted data.',
  qualityLabel: (direction, level) => `${direction === 'incoming' ? 'Receiving' : 'Sending'}: ${level}`,
  levels: { good: 'good connection', fair: 'fair connection', poor: 'poor connection', lost: 'connection lost' },
  videoPausedLocal: 'Your video is paused to keep your voice clear. It comes back when the connection improves.',
  videoPausedRemote: 'Video paused to keep the voice clear',
  poorLink:
    'Your connection is weak. Close other programs and tabs that use the internet, or move closer to your router.',
  saveBandwidth: 'Turn camera off to keep the sound clear',
  doctor: 'Doctor',
  patient: 'Patient',
  errors: {
    unknown: { title: 'Something went wrong.', remedy: 'Reload the page and try again.' },
    'permission-denied': {
      title: 'Camera and microphone are blocked.',
      remedy:
        'Click the camera icon in the address bar, allow camera and microphone for this site, then try again.',
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
    'replaced': { title: 'This consultation was opened in another tab or device.', remedy: 'Continue there, or try again here.' },
    'chat-too-long': {
      title: 'This message is too long to send.',
      remedy: 'Shorten it to 4000 characters or send it as a file.',
    },
    'not-connected': { title: 'Not connected yet.', remedy: 'Wait until the call is connected.' },
    'missing-configuration': {
      title: 'This page is not set up for consultations.',
      remedy: 'Tell the practice: the element needs server, room and role.',
    },
  },
};

const de: Strings = {
  join: 'Sprechstunde beitreten',
  joinHint: 'Ihr Browser fragt nach Kamera und Mikrofon.',
  preparing: 'Kamera und Mikrofon werden gestartet…',
  waitingPatient: 'Sie sind im Wartezimmer. Die Ärztin oder der Arzt lässt Sie gleich herein.',
  waitingDoctor: 'Warten auf die Patientin oder den Patienten.',
  knock: 'Jemand wartet im Wartezimmer.',
  admit: 'Hereinlassen',
  decline: 'Ablehnen',
  connecting: 'Verbindung wird aufgebaut…',
  reconnecting: 'Die Verbindung wurde unterbrochen. Neuer Versuch…',
  ended: 'Die Sprechstunde ist beendet.',
  endedByPeer: 'Die andere Person hat die Sprechstunde verlassen.',
  declined: 'Die Praxis kann Sie gerade nicht empfangen. Bitte melden Sie sich bei der Praxis.',
  tryAgain: 'Erneut versuchen',
  hangUp: 'Verlassen',
  cameraOn: 'Kamera einschalten',
  cameraOff: 'Kamera ausschalten',
  microphoneOn: 'Mikrofon einschalten',
  microphoneOff: 'Mikrofon stummschalten',
  peerCameraOff: 'Kamera ist aus',
  peerMuted: 'Mikrofon ist stumm',
  enableSound: 'Klicken, um die andere Person zu hören',
  dismiss: 'Schließen',
  you: 'Sie',
  chat: 'Chat',
  chatPlaceholder: 'Nachricht schreiben',
  send: 'Senden',
  close: 'Schließen',
  unread: (count) => `${count} ungelesen`,
  info: 'Sicherheit der Verbindung',
  verifyTitle: 'Prüfcode',
  verifyExplain:
    'Lesen Sie sich diesen Code gegenseitig vor. Ist er auf beiden Bildschirmen gleich, hört niemand dazwischen mit. Ist er verschieden, sitzt jemand dazwischen: Beenden Sie das Gespräch.',
  verifyPending: 'Der Code erscheint, sobald die Verbindung steht.',
  securityTitle: 'Was dieses Gespräch schützt',
  encryption: 'Verschlüsselung (DTLS)',
  mediaCipher: 'Ton und Bild (SRTP)',
  pathDirect: 'Direkte Verbindung zwischen den beiden Browsern.',
  pathRelayed: 'Über den TURN-Server der Praxis weitergeleitet, der nur verschlüsselte Daten sieht.',
  qualityLabel: (direction, level) => `${direction === 'incoming' ? 'Empfang' : 'Senden'}: ${level}`,
  levels: { good: 'gute Verbindung', fair: 'mittlere Verbindung', poor: 'schwache Verbindung', lost: 'Verbindung unterbrochen' },
  videoPausedLocal: 'Ihr Video ist pausiert, damit Ihre Stimme klar bleibt. Es kommt zurück, sobald die Verbindung besser wird.',
  videoPausedRemote: 'Video pausiert, damit die Stimme klar bleibt',
  poorLink:
    'Ihre Verbindung ist schwach. Schließen Sie andere Programme und Tabs, die das Internet nutzen, oder gehen Sie näher an den Router.',
  saveBandwidth: 'Kamera ausschalten, damit der Ton klar bleibt',
  doctor: 'Ärztin/Arzt',
  patient: 'Patient/in',
  errors: {
    unknown: { title: 'Etwas ist schiefgegangen.', remedy: 'Laden Sie die Seite neu und versuchen Sie es erneut.' },
    'permission-denied': {
      title: 'Kamera und Mikrofon sind blockiert.',
      remedy:
        'Klicken Sie auf das Kamera-Symbol in der Adressleiste, erlauben Sie Kamera und Mikrofon für diese Seite und versuchen Sie es erneut.',
    },
    'no-camera': {
      title: 'Keine Kamera gefunden. Das Gespräch läuft nur mit Ton weiter.',
      remedy: 'Schließen Sie eine Kamera an und laden Sie die Seite neu, wenn man Sie sehen soll.',
    },
    'no-microphone': {
      title: 'Kein Mikrofon gefunden. Die andere Person hört Sie nicht.',
      remedy: 'Schließen Sie ein Mikrofon oder Headset an und laden Sie die Seite neu.',
    },
    'no-devices': {
      title: 'Weder Kamera noch Mikrofon gefunden.',
      remedy: 'Schließen Sie Kamera und Mikrofon (oder ein Headset) an und versuchen Sie es erneut.',
    },
    'camera-busy': {
      title: 'Ein anderes Programm benutzt Ihre Kamera. Das Gespräch läuft nur mit Ton weiter.',
      remedy: 'Schließen Sie andere Videoprogramme (Zoom, Teams, Skype) oder Browser-Tabs mit Kamera und schalten Sie die Kamera wieder ein.',
    },
    'microphone-busy': {
      title: 'Ein anderes Programm benutzt Ihr Mikrofon.',
      remedy: 'Schließen Sie andere Programme oder Tabs, die das Mikrofon benutzen, und versuchen Sie es erneut.',
    },
    'insecure-context': {
      title: 'Diese Seite ist nicht sicher, daher blockiert der Browser Kamera und Videoanrufe.',
      remedy: 'Öffnen Sie den Link zur Sprechstunde, der mit https:// beginnt.',
    },
    'webrtc-unsupported': {
      title: 'Dieser Browser kann keine Videoanrufe.',
      remedy: 'Öffnen Sie die Seite in einem aktuellen Chrome, Edge, Firefox oder Safari.',
    },
    'autoplay-blocked': {
      title: 'Ihr Browser hat den Ton angehalten.',
      remedy: 'Klicken Sie auf „Klicken, um die andere Person zu hören“.',
    },
    'signaling-unreachable': {
      title: 'Der Sprechstunden-Dienst ist nicht erreichbar.',
      remedy: 'Prüfen Sie Ihre Internetverbindung. Wenn sie funktioniert, blockiert vielleicht eine Firewall den Dienst: Versuchen Sie ein anderes Netz.',
    },
    'connection-failed': {
      title: 'Es konnte keine Verbindung zur anderen Person aufgebaut werden.',
      remedy:
        'Schließen Sie andere Programme, die das Internet nutzen, gehen Sie näher an den Router oder nutzen Sie ein Kabel und versuchen Sie es erneut. Im Firmennetz: Bitten Sie die IT, Videoanrufe (WebRTC) zu erlauben.',
    },
    'room-full': {
      title: 'Jemand anderes ist in Ihrer Rolle bereits in dieser Sprechstunde.',
      remedy: 'Schließen Sie andere Tabs mit dieser Sprechstunde oder bitten Sie die Praxis um einen neuen Link.',
    },
    'token-required': { title: 'Dieser Link ist unvollständig.', remedy: 'Verwenden Sie den vollständigen Link der Praxis.' },
    'token-invalid': { title: 'Dieser Link ist ungültig.', remedy: 'Bitten Sie die Praxis um einen neuen Link.' },
    'token-expired': { title: 'Dieser Link ist abgelaufen.', remedy: 'Bitten Sie die Praxis um einen neuen Link.' },
    'token-wrong-room': { title: 'Dieser Link gehört zu einer anderen Sprechstunde.', remedy: 'Verwenden Sie den Link der Praxis.' },
    'token-wrong-role': { title: 'Dieser Link gehört zu einer anderen Person.', remedy: 'Verwenden Sie den Link der Praxis.' },
    'server-full': { title: 'Der Dienst ist ausgelastet.', remedy: 'Versuchen Sie es in einer Minute erneut.' },
    'rate-limited': { title: 'Zu viele Versuche.', remedy: 'Warten Sie eine Minute und versuchen Sie es dann erneut.' },
    'shutting-down': { title: 'Der Dienst startet neu.', remedy: 'Versuchen Sie es gleich noch einmal.' },
    'replaced': { title: 'Die Sprechstunde wurde in einem anderen Tab oder Gerät geöffnet.', remedy: 'Machen Sie dort weiter oder versuchen Sie es hier erneut.' },
    'chat-too-long': {
      title: 'Diese Nachricht ist zu lang.',
      remedy: 'Kürzen Sie sie auf 4000 Zeichen oder senden Sie sie als Datei.',
    },
    'not-connected': { title: 'Noch nicht verbunden.', remedy: 'Warten Sie, bis die Verbindung steht.' },
    'missing-configuration': {
      title: 'Diese Seite ist nicht für Sprechstunden eingerichtet.',
      remedy: 'Bitte informieren Sie die Praxis: Das Element braucht server, room und role.',
    },
  },
};

/** The built-in languages. */
export const STRINGS: Record<'en' | 'de', Strings> = { en, de };

/** Picks the table for a BCP 47 language tag, falling back to English, and applies overrides. */
export function resolveStrings(lang: string, overrides?: Partial<Strings>): Strings {
  const base = lang.toLowerCase().startsWith('de') ? de : en;
  if (!overrides) return base;
  return { ...base, ...overrides, errors: { ...base.errors, ...overrides.errors } };
}

/** The text for an error code, with a generic fallback for codes without their own. */
export function errorText(strings: Strings, code: string): ErrorText {
  return strings.errors[code as ErrorCode] ?? strings.errors.unknown;
}
