import type { SessionOptions } from '../core/session.js';
import type { VideoConsultProperties } from './video-consult-properties.js';

/** The session's options from the element's properties: empty values mean "the default". */
export function sessionOptions(p: VideoConsultProperties): SessionOptions {
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
