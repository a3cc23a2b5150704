import type { ConsultError } from '../core/errors.js';
import type { SessionEvents } from '../core/session.js';
import type { ErrorDetail, VideoConsultEvents } from './events.js';

/** How one session event goes out again: the `vc-` event's name, its detail made from the session's, and whether the page may veto it. */
export type EventRoute<K extends keyof SessionEvents> = {
  [E in keyof VideoConsultEvents]: { type: E; detail: (from: SessionEvents[K]) => VideoConsultEvents[E]; cancelable?: true };
}[keyof VideoConsultEvents];

/** The detail of `vc-error` for a coded error, whether the session or the element met it. */
export const errorDetail = (error: ConsultError): ErrorDetail => ({ code: error.code, message: error.message, fatal: error.fatal });

/**
 * Every session event, and the `vc-` event the element fires for it (null: the element only
 * renders what it changed). The session controller subscribes to exactly these keys and fires
 * what they name, so a session event added to `SessionEvents` and not listed here is a type error.
 * Details are copies, so that a listener cannot change the session's own objects.
 */
export const SESSION_EVENT_ROUTES: { readonly [K in keyof SessionEvents]: EventRoute<K> | null } = {
  state: {
    type: 'vc-state-change',
    detail: (c) => ({ state: c.state, previous: c.previous, ...(c.reason ? { reason: c.reason } : {}), ...(c.error ? { code: c.error.code } : {}) }),
  },
  error: { type: 'vc-error', detail: errorDetail },
  'local-stream': null,
  'remote-stream': null,
  'local-media': null,
  'remote-media': null,
  knock: { type: 'vc-knock', detail: ({ waiting }) => ({ waiting }) },
  'peer-name': { type: 'vc-peer-name', detail: ({ name }) => ({ name }) },
  message: { type: 'vc-message', detail: (entry) => ({ ...entry }) },
  verification: { type: 'vc-verification', detail: ({ code }) => ({ code }) },
  quality: { type: 'vc-quality-change', detail: (report) => report },
  'file-offer': { type: 'vc-file-offer', detail: ({ id, name, size, type }) => ({ id, name, size, type }), cancelable: true },
  'file-progress': { type: 'vc-file-progress', detail: (progress) => ({ ...progress }) },
  'file-received': {
    type: 'vc-file-received',
    detail: (f) => ({
      id: f.id,
      name: f.name,
      size: f.size,
      type: f.type,
      transferHash: f.transferHash,
      blockSize: f.blockSize,
      hash: f.hash,
      ...(f.blob ? { file: f.blob } : {}),
    }),
  },
  'file-sent': {
    type: 'vc-file-sent',
    detail: (f) => ({ id: f.id, name: f.name, size: f.size, transferHash: f.transferHash, blockSize: f.blockSize, hash: f.hash }),
  },
  'file-error': { type: 'vc-file-error', detail: (error) => ({ ...error }) },
  'files-available': { type: 'vc-files-available', detail: ({ available }) => ({ available }) },
  devices: {
    type: 'vc-devices-change',
    detail: (d) => ({
      ...d,
      cameras: d.cameras.map((o) => ({ ...o })),
      microphones: d.microphones.map((o) => ({ ...o })),
      speakers: d.speakers.map((o) => ({ ...o })),
    }),
  },
  'device-lost': { type: 'vc-device-lost', detail: (lost) => ({ ...lost }) },
  'media-change': { type: 'vc-media-change', detail: (change) => ({ ...change }) },
  'screen-stream': null,
};
