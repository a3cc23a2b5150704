import { LitElement, type PropertyDeclarations } from 'lit';
import type { QualityPreference } from '../core/quality.js';
import type { Role } from '../protocol/index.js';
import type { Strings } from './strings.js';

/**
 * The attributes and properties a page sets on `<video-consult>`, which a call is configured from
 * (`session-options.ts`). `VideoConsult` adds the state, the actions and the rendering.
 */
export class VideoConsultProperties extends LitElement {
  static override properties: PropertyDeclarations = {
    server: { reflect: true },
    room: { reflect: true },
    consultRole: { attribute: 'consult-role', reflect: true },
    token: { attribute: false },
    displayName: { attribute: 'display-name' },
    audioOnly: { type: Boolean, attribute: 'audio-only', reflect: true },
    autoJoin: { type: Boolean, attribute: 'auto-join' },
    iceTransportPolicy: { attribute: 'ice-transport-policy' },
    iceServers: { attribute: false },
    quality: { reflect: true },
    maxFileSize: { type: Number, attribute: 'max-file-size' },
    acceptFiles: { attribute: 'accept-files' },
    rememberDevices: { type: Boolean, attribute: 'remember-devices' },
    patientScreenShare: { type: Boolean, attribute: 'patient-screen-share' },
    strings: { attribute: false },
  };

  /** The signaling server's WebSocket URL, e.g. `wss://consult.example.org/signal`. */
  server = '';
  /** The consultation's room id (letters, digits, `-` and `_`, up to 64). */
  room = '';
  /**
   * Which side this is: `doctor` or `patient`. The attribute `role="doctor|patient"` still works
   * but is deprecated: it is moved to `consult-role` and taken off the element, because `role` is
   * the element's ARIA role.
   */
  consultRole: Role = 'patient';
  /**
   * The join token the clinic's backend issued for this person. A property only: there is no
   * `token` attribute, so the token never shows in the DOM.
   */
  token = '';
  /** The name shown to the other person. Sent only peer to peer, never to the server. */
  displayName = '';
  /** Start without a camera: sound only. */
  audioOnly = false;
  /** Join as soon as the element is on the page, without the join button. */
  autoJoin = false;
  /** `relay` forces every byte through the TURN server. Default: `all`. */
  iceTransportPolicy: RTCIceTransportPolicy | '' = '';
  /** ICE servers to use instead of those the signaling server hands out. */
  iceServers?: RTCIceServer[];
  /**
   * How this side sends video: `auto` (default) follows the link between HD, SD and audio only;
   * `hd` and `sd` fix the resolution; `audio-only` turns the camera off.
   */
  quality: QualityPreference = 'auto';
  /** The largest file, in bytes, this side sends or accepts; 0 for no limit. */
  maxFileSize = 0;
  /** The file types this side sends or accepts, as `<input accept>` takes them (`image/*,.pdf`); empty for all. */
  acceptFiles = '';
  /** Remember the chosen camera, microphone and speaker for this site (in `localStorage`; nothing leaves the device). */
  rememberDevices = false;
  /** Let the patient share a screen too; the doctor always may (where the browser can: desktop browsers, not phones). */
  patientScreenShare = false;
  /** Overrides for any of the element's texts. */
  strings?: Partial<Strings>;
}
