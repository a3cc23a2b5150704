import type { QualityPreference } from '../core/quality.js';
import type { SessionOptions } from '../core/session.js';
import type { Role } from '../protocol/index.js';

/** The element's properties a call is configured from. */
export interface CallProperties {
  server: string;
  room: string;
  consultRole: Role;
  token: string;
  displayName: string;
  audioOnly: boolean;
  iceTransportPolicy: RTCIceTransportPolicy | '';
  iceServers?: RTCIceServer[];
  quality: QualityPreference;
  maxFileSize: number;
  acceptFiles: string;
  rememberDevices: boolean;
  patientScreenShare: boolean;
}

/** The session's options from the element's properties: empty values mean "the default". */
export function sessionOptions(p: CallProperties): SessionOptions {
  return {
    server: p.server,
    room: p.room,
    role: p.consultRole,
    ...(p.token ? { token: p.token } : {}),
    ...(p.iceServers ? { iceServers: p.iceServers } : {}),
    ...(p.iceTransportPolicy ? { iceTransportPolicy: p.iceTransportPolicy } : {}),
    displayName: p.displayName,
    video: !p.audioOnly,
    quality: p.quality,
    rememberDevices: p.rememberDevices,
    screenShare: p.consultRole === 'doctor' || p.patientScreenShare,
    maxFileSize: p.maxFileSize || undefined,
    acceptFiles: p.acceptFiles
      ? p.acceptFiles
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : undefined,
  };
}
