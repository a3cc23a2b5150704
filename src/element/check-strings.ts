import type { AdviceCode, BrowserName, CheckCode, CheckStatus, StepId } from '../core/precall/index.js';

/**
 * Every text `<video-consult-check>` shows. Pages override any of them with the `strings` property
 * (nested tables merge key by key). `{name}` is replaced by the figure of that name, and in the
 * advice by `{hosts}`, `{ports}` and `{relayPorts}` from the ICE configuration.
 */
export interface CheckStrings {
  title: string;
  running: string;
  runAgain: string;
  copyReport: string;
  copied: string;
  report: string;
  adviceTitle: string;
  micHint: string;
  soundQuestion: string;
  playSound: string;
  heardYes: string;
  heardNo: string;
  outputDevice: string;
  /** Step names. */
  steps: Record<StepId, string>;
  /** Status words, also read out by screen readers next to the icons. */
  status: Record<CheckStatus, string>;
  /** The headline of the verdict: `ready`, or the deciding finding. Missing ones fall back to `findings`. */
  verdicts: Partial<Record<CheckCode | 'ready' | 'incomplete', string>>;
  /** What each step found, in plain words. */
  findings: Record<CheckCode, string>;
  /** What to do, in the order the check lists it. */
  advice: Record<AdviceCode, string>;
  /** Appended to `ask-it-firewall` when the relay port range is configured. */
  relayPortsClause: string;
  /** Where to click to allow camera and microphone, per browser. */
  permissionHelp: Record<BrowserName, string>;
  /** The operating system's own camera switch, where there is one. */
  systemPermissionHelp: Partial<Record<string, string>>;
  /** Which programs may hold the camera or microphone. */
  busyHelp: string;
}

const en: CheckStrings = {
  title: 'Test your setup',
  running: 'Checking…',
  runAgain: 'Check again',
  copyReport: 'Copy report',
  copied: 'Copied',
  report: 'Report for the practice’s support',
  adviceTitle: 'What you can do',
  micHint: 'Say something: the bar should move.',
  soundQuestion: 'Play the test sound. Did you hear it?',
  playSound: 'Play test sound',
  heardYes: 'Yes, I heard it',
  heardNo: 'No',
  outputDevice: 'Speaker',
  steps: {
    browser: 'Browser',
    camera: 'Camera',
    microphone: 'Microphone',
    speakers: 'Speakers',
    signaling: 'Connection to the practice',
    network: 'Network',
    quality: 'Connection quality',
  },
  status: { pass: 'OK', warn: 'Warning', fail: 'Problem', skip: 'Not checked' },
  verdicts: {
    ready: 'Everything is ready for your consultation.',
    incomplete: 'Everything that was tested works, but not everything could be tested here.',
    'udp-blocked': 'UDP blocked, TCP relay works: the consultation will work, the picture may be less smooth.',
    'turn-unreachable': 'Your network blocks video calls to the practice.',
    'quality-too-slow': 'Your internet connection is too slow for a video consultation.',
  },
  findings: {
    'browser-ok': '{browser} {version} supports video consultations.',
    'browser-outdated': 'Your browser ({browser} {version}) is out of date.',
    'browser-unknown': 'This browser has not been tested with video consultations.',
    'in-app-browser': 'This page is open inside the {inAppBrowser} app, where the camera often does not work.',
    'insecure-context': 'This page is not secure, so the browser blocks camera and video calls.',
    'webrtc-unsupported': 'This browser cannot make video calls.',
    'camera-ok': 'Your camera works ({width}×{height}).',
    'camera-low-resolution': 'Your camera works, but the picture is small ({width}×{height}).',
    'camera-denied': 'The browser is not allowed to use your camera.',
    'camera-busy': 'Another program is using your camera.',
    'no-camera': 'No camera was found.',
    'camera-failed': 'The camera could not be started.',
    'microphone-ok': 'Your microphone hears you.',
    'microphone-silent': 'Your microphone picks up no sound.',
    'microphone-not-measured': 'Your microphone is on; the browser did not let the page measure its level.',
    'microphone-denied': 'The browser is not allowed to use your microphone.',
    'microphone-busy': 'Another program is using your microphone.',
    'no-microphone': 'No microphone was found.',
    'speakers-ok': 'You can hear sound.',
    'speakers-not-heard': 'You did not hear the test sound.',
    'speakers-unconfirmed': 'Not confirmed that you hear sound.',
    'signaling-ok': 'The practice’s service answers ({connectMs} ms).',
    'signaling-slow': 'The practice’s service answers slowly ({connectMs} ms).',
    'signaling-insecure': 'The connection to the practice’s service is not encrypted.',
    'signaling-unreachable': 'The practice’s service cannot be reached.',
    'signaling-refused': 'The practice’s service did not let this page connect.',
    'network-ok': 'Video can reach the practice directly and through the relay.',
    'udp-blocked': 'UDP blocked, TCP relay works.',
    'turn-unreachable': 'The practice’s video relay cannot be reached from your network.',
    'turn-auth-failed': 'The practice’s video relay refused the connection.',
    'turn-not-configured': 'No video relay is configured: the call may fail behind a firewall.',
    'quality-hd': 'Fast enough for HD video: {throughputMbps} Mbit/s, delay {rttMs} ms, loss {lossPercent} %, jitter {jitterMs} ms.',
    'quality-sd': 'Good enough for a video call, not for HD: {throughputMbps} Mbit/s, delay {rttMs} ms, loss {lossPercent} %.',
    'quality-unstable': 'The connection is unsteady: delay {rttMs} ms, loss {lossPercent} %, jitter {jitterMs} ms.',
    'quality-too-slow': 'Too slow for video: {throughputMbps} Mbit/s (at least 1 Mbit/s is needed).',
    'quality-failed': 'No data could be sent through the video relay.',
    'not-configured': 'Could not be tested here.',
    'not-requested': 'Not needed for this consultation.',
    skipped: 'Not tested, because another step did not work.',
  },
  advice: {
    'allow-camera': 'Allow camera and microphone for this page (see above), then check again.',
    'close-camera-programs': 'Close other programs and browser tabs that use the camera or microphone.',
    'connect-device': 'Connect a camera and a microphone (or a headset), check that they are switched on and not muted, then check again.',
    'check-speakers': 'Turn the volume up, check that the right speaker or headset is selected, or use headphones.',
    'open-in-browser': 'Open this page in your browser: use the app’s menu (⋯) and choose “Open in browser”.',
    'update-browser': 'Update your browser to the latest version.',
    'another-browser': 'Try another browser: a current Chrome, Edge, Firefox or Safari.',
    'use-https': 'Open the link that starts with https://.',
    'close-bandwidth-programs': 'Close other programs and browser tabs that use the internet (videos, downloads, cloud backups).',
    'wired-connection': 'Use a network cable, or move closer to your Wi-Fi router.',
    'restart-router': 'Restart your router, then check again.',
    'ask-it-firewall': 'In a company network, ask IT to allow WebRTC traffic (UDP, ICE, STUN and TURN) to {hosts} on ports {ports}{relayPorts}.',
    'another-network': 'Try another network, for example your phone’s mobile data.',
    'contact-practice': 'If it still does not work, contact the practice and send them the report below.',
  },
  relayPortsClause: ', and UDP ports {relayPorts} for the video relay',
  permissionHelp: {
    chrome: 'In Chrome: click the icon left of the address bar, set Camera and Microphone to “Allow”, then reload the page.',
    edge: 'In Edge: click the lock icon left of the address bar, choose “Permissions for this site”, set Camera and Microphone to “Allow”, then reload the page.',
    firefox:
      'In Firefox: click the crossed-out camera icon in the address bar, remove the “Blocked” entries, then reload the page and choose “Allow”.',
    safari:
      'In Safari: choose Safari › Settings for This Website (on iPhone and iPad: “aA” in the address bar › Website Settings), set Camera and Microphone to “Allow”, then reload the page.',
    other: 'Open the site settings of your browser (usually the icon left of the address bar), allow Camera and Microphone, then reload the page.',
  },
  systemPermissionHelp: {
    macOS: 'On a Mac, also check System Settings › Privacy & Security › Camera and Microphone: your browser must be switched on.',
    Windows: 'On Windows, also check Settings › Privacy & security › Camera and Microphone: access for apps and desktop apps must be on.',
  },
  busyHelp:
    'Close Zoom, Teams, Skype, FaceTime and other browser tabs with video calls, then check again. If that does not help, restart the computer.',
};

const de: CheckStrings = {
  title: 'Technik testen',
  running: 'Wird geprüft…',
  runAgain: 'Erneut prüfen',
  copyReport: 'Bericht kopieren',
  copied: 'Kopiert',
  report: 'Bericht für den Support der Praxis',
  adviceTitle: 'Was Sie tun können',
  micHint: 'Sagen Sie etwas: Der Balken sollte sich bewegen.',
  soundQuestion: 'Spielen Sie den Testton ab. Haben Sie ihn gehört?',
  playSound: 'Testton abspielen',
  heardYes: 'Ja, gehört',
  heardNo: 'Nein',
  outputDevice: 'Lautsprecher',
  steps: {
    browser: 'Browser',
    camera: 'Kamera',
    microphone: 'Mikrofon',
    speakers: 'Lautsprecher',
    signaling: 'Verbindung zur Praxis',
    network: 'Netzwerk',
    quality: 'Verbindungsqualität',
  },
  status: { pass: 'OK', warn: 'Hinweis', fail: 'Problem', skip: 'Nicht geprüft' },
  verdicts: {
    ready: 'Alles ist bereit für Ihre Sprechstunde.',
    incomplete: 'Alles Geprüfte funktioniert, aber nicht alles konnte hier geprüft werden.',
    'udp-blocked': 'UDP blockiert, TCP-Relay funktioniert: Die Sprechstunde klappt, das Bild kann aber weniger flüssig sein.',
    'turn-unreachable': 'Ihr Netzwerk blockiert Videoanrufe zur Praxis.',
    'quality-too-slow': 'Ihre Internetverbindung ist zu langsam für eine Videosprechstunde.',
  },
  findings: {
    'browser-ok': '{browser} {version} unterstützt Videosprechstunden.',
    'browser-outdated': 'Ihr Browser ({browser} {version}) ist veraltet.',
    'browser-unknown': 'Dieser Browser wurde nicht mit Videosprechstunden getestet.',
    'in-app-browser': 'Diese Seite ist in der App {inAppBrowser} geöffnet, dort funktioniert die Kamera oft nicht.',
    'insecure-context': 'Diese Seite ist nicht sicher, daher blockiert der Browser Kamera und Videoanrufe.',
    'webrtc-unsupported': 'Dieser Browser kann keine Videoanrufe.',
    'camera-ok': 'Ihre Kamera funktioniert ({width}×{height}).',
    'camera-low-resolution': 'Ihre Kamera funktioniert, das Bild ist aber klein ({width}×{height}).',
    'camera-denied': 'Der Browser darf Ihre Kamera nicht verwenden.',
    'camera-busy': 'Ein anderes Programm benutzt Ihre Kamera.',
    'no-camera': 'Keine Kamera gefunden.',
    'camera-failed': 'Die Kamera ließ sich nicht starten.',
    'microphone-ok': 'Ihr Mikrofon hört Sie.',
    'microphone-silent': 'Ihr Mikrofon nimmt keinen Ton auf.',
    'microphone-not-measured': 'Ihr Mikrofon ist an; der Browser erlaubte der Seite nicht, den Pegel zu messen.',
    'microphone-denied': 'Der Browser darf Ihr Mikrofon nicht verwenden.',
    'microphone-busy': 'Ein anderes Programm benutzt Ihr Mikrofon.',
    'no-microphone': 'Kein Mikrofon gefunden.',
    'speakers-ok': 'Sie hören Ton.',
    'speakers-not-heard': 'Sie haben den Testton nicht gehört.',
    'speakers-unconfirmed': 'Nicht bestätigt, dass Sie Ton hören.',
    'signaling-ok': 'Der Dienst der Praxis antwortet ({connectMs} ms).',
    'signaling-slow': 'Der Dienst der Praxis antwortet langsam ({connectMs} ms).',
    'signaling-insecure': 'Die Verbindung zum Dienst der Praxis ist nicht verschlüsselt.',
    'signaling-unreachable': 'Der Dienst der Praxis ist nicht erreichbar.',
    'signaling-refused': 'Der Dienst der Praxis hat die Verbindung von dieser Seite abgelehnt.',
    'network-ok': 'Video erreicht die Praxis direkt und über das Relay.',
    'udp-blocked': 'UDP blockiert, TCP-Relay funktioniert.',
    'turn-unreachable': 'Das Video-Relay der Praxis ist aus Ihrem Netzwerk nicht erreichbar.',
    'turn-auth-failed': 'Das Video-Relay der Praxis hat die Verbindung abgelehnt.',
    'turn-not-configured': 'Kein Video-Relay eingerichtet: Hinter einer Firewall kann der Anruf scheitern.',
    'quality-hd': 'Schnell genug für HD-Video: {throughputMbps} Mbit/s, Verzögerung {rttMs} ms, Verlust {lossPercent} %, Jitter {jitterMs} ms.',
    'quality-sd': 'Gut genug für einen Videoanruf, nicht für HD: {throughputMbps} Mbit/s, Verzögerung {rttMs} ms, Verlust {lossPercent} %.',
    'quality-unstable': 'Die Verbindung schwankt: Verzögerung {rttMs} ms, Verlust {lossPercent} %, Jitter {jitterMs} ms.',
    'quality-too-slow': 'Zu langsam für Video: {throughputMbps} Mbit/s (mindestens 1 Mbit/s nötig).',
    'quality-failed': 'Über das Video-Relay ließen sich keine Daten senden.',
    'not-configured': 'Konnte hier nicht geprüft werden.',
    'not-requested': 'Für diese Sprechstunde nicht nötig.',
    skipped: 'Nicht geprüft, weil ein anderer Schritt nicht geklappt hat.',
  },
  advice: {
    'allow-camera': 'Erlauben Sie Kamera und Mikrofon für diese Seite (siehe oben) und prüfen Sie erneut.',
    'close-camera-programs': 'Schließen Sie andere Programme und Browser-Tabs, die Kamera oder Mikrofon benutzen.',
    'connect-device':
      'Schließen Sie Kamera und Mikrofon (oder ein Headset) an, prüfen Sie, dass sie eingeschaltet und nicht stummgeschaltet sind, und prüfen Sie erneut.',
    'check-speakers':
      'Drehen Sie die Lautstärke auf, prüfen Sie, ob der richtige Lautsprecher oder das Headset gewählt ist, oder nutzen Sie Kopfhörer.',
    'open-in-browser': 'Öffnen Sie diese Seite in Ihrem Browser: Wählen Sie im Menü der App (⋯) „Im Browser öffnen“.',
    'update-browser': 'Aktualisieren Sie Ihren Browser auf die neueste Version.',
    'another-browser': 'Versuchen Sie einen anderen Browser: ein aktuelles Chrome, Edge, Firefox oder Safari.',
    'use-https': 'Öffnen Sie den Link, der mit https:// beginnt.',
    'close-bandwidth-programs': 'Schließen Sie andere Programme und Tabs, die das Internet nutzen (Videos, Downloads, Cloud-Sicherungen).',
    'wired-connection': 'Nutzen Sie ein Netzwerkkabel oder gehen Sie näher an Ihren WLAN-Router.',
    'restart-router': 'Starten Sie Ihren Router neu und prüfen Sie erneut.',
    'ask-it-firewall':
      'Im Firmennetz: Bitten Sie die IT, WebRTC-Verkehr (UDP, ICE, STUN und TURN) zu {hosts} auf den Ports {ports} zu erlauben{relayPorts}.',
    'another-network': 'Versuchen Sie ein anderes Netz, zum Beispiel die mobilen Daten Ihres Telefons.',
    'contact-practice': 'Wenn es weiterhin nicht klappt, wenden Sie sich an die Praxis und senden Sie ihr den Bericht unten.',
  },
  relayPortsClause: ', dazu die UDP-Ports {relayPorts} für das Video-Relay',
  permissionHelp: {
    chrome:
      'In Chrome: Klicken Sie auf das Symbol links neben der Adressleiste, stellen Sie Kamera und Mikrofon auf „Zulassen“ und laden Sie die Seite neu.',
    edge: 'In Edge: Klicken Sie auf das Schloss links neben der Adressleiste, wählen Sie „Berechtigungen für diese Website“, stellen Sie Kamera und Mikrofon auf „Zulassen“ und laden Sie die Seite neu.',
    firefox:
      'In Firefox: Klicken Sie auf das durchgestrichene Kamera-Symbol in der Adressleiste, entfernen Sie die Einträge „Blockiert“, laden Sie die Seite neu und wählen Sie „Erlauben“.',
    safari:
      'In Safari: Wählen Sie Safari › Einstellungen für diese Website (auf iPhone und iPad: „aA“ in der Adressleiste › Website-Einstellungen), stellen Sie Kamera und Mikrofon auf „Erlauben“ und laden Sie die Seite neu.',
    other:
      'Öffnen Sie die Website-Einstellungen Ihres Browsers (meist das Symbol links neben der Adressleiste), erlauben Sie Kamera und Mikrofon und laden Sie die Seite neu.',
  },
  systemPermissionHelp: {
    macOS: 'Auf dem Mac prüfen Sie auch Systemeinstellungen › Datenschutz & Sicherheit › Kamera und Mikrofon: Ihr Browser muss eingeschaltet sein.',
    Windows:
      'Unter Windows prüfen Sie auch Einstellungen › Datenschutz und Sicherheit › Kamera und Mikrofon: Der Zugriff für Apps und Desktop-Apps muss an sein.',
  },
  busyHelp:
    'Schließen Sie Zoom, Teams, Skype, FaceTime und andere Browser-Tabs mit Videoanrufen und prüfen Sie erneut. Hilft das nicht, starten Sie den Computer neu.',
};

/** The built-in languages of `<video-consult-check>`. */
export const CHECK_STRINGS: Record<'en' | 'de', CheckStrings> = { en, de };

/** Overrides: any text, and any entry of the nested tables. */
export type CheckStringsOverrides = Partial<Omit<CheckStrings, 'steps' | 'status' | 'findings' | 'advice' | 'permissionHelp'>> & {
  steps?: Partial<CheckStrings['steps']>;
  status?: Partial<CheckStrings['status']>;
  findings?: Partial<CheckStrings['findings']>;
  advice?: Partial<CheckStrings['advice']>;
  permissionHelp?: Partial<CheckStrings['permissionHelp']>;
};

const NESTED = ['steps', 'status', 'verdicts', 'findings', 'advice', 'permissionHelp', 'systemPermissionHelp'] as const;

/** Picks the table for a BCP 47 language tag (English unless it is German) and applies overrides. */
export function resolveCheckStrings(lang: string, overrides?: CheckStringsOverrides): CheckStrings {
  const base = lang.toLowerCase().startsWith('de') ? de : en;
  if (!overrides) return base;
  const merged = { ...base, ...overrides } as CheckStrings;
  for (const key of NESTED) (merged as unknown as Record<string, unknown>)[key] = { ...base[key], ...overrides[key] };
  return merged;
}

/** Fills `{name}` placeholders; a missing figure leaves a dash. */
export function fill(text: string, values: Record<string, unknown>): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    return value === null || value === undefined ? '–' : String(value);
  });
}
