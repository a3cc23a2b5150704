import type { ErrorCode } from '../core/errors.js';
import { EN, type ErrorText } from './strings.js';

/** The English texts of every error code and of the file-transfer codes with their own text. */
export const EN_ERRORS: Record<ErrorCode, ErrorText> & Record<`file-${string}`, ErrorText> = {
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
};

Object.assign(EN.errors, EN_ERRORS);
