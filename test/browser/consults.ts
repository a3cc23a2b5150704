// What most element tests share: the run's signaling server, elements that leave and go after
// each test, and a call between a doctor and a patient element in this page.
import type { VideoConsult } from '../../src/element/video-consult.js';
import { openPeerPage, signaling, type PeerPage } from './harness.js';
import { createConsult, uniqueRoom, untilKnock, untilState } from './helpers.js';

export interface CallOptions {
  /** Properties of the doctor's element. */
  doctor?: Record<string, unknown>;
  /** Properties of the patient's element. */
  patient?: Record<string, unknown>;
  /** Another signaling server than the run's. */
  server?: string;
  /** The start of the room's name, to tell rooms apart in server logs. */
  prefix?: string;
}

export interface Consults {
  /** The run's signaling server; set before the first test. */
  readonly signalUrl: string;
  /** Elements that leave the call and are removed after each test. */
  readonly elements: VideoConsult[];
  /** A doctor and a patient element in a fresh room: joined, the patient admitted, both connected. */
  startCall(options?: CallOptions): Promise<{ doctor: VideoConsult; patient: VideoConsult; room: string }>;
  /**
   * A doctor element in this page and a patient in a peer page (its own browser context), joined,
   * admitted and connected on the doctor's side. The caller closes the page.
   */
  startCallWithPeerPage(options?: Pick<CallOptions, 'doctor' | 'prefix'>): Promise<{ doctor: VideoConsult; page: PeerPage; room: string }>;
}

/** Registers the hooks of a test file that makes elements, and returns what its tests use. */
export function useConsults(): Consults {
  let signalUrl = '';
  const elements: VideoConsult[] = [];
  before(async () => {
    ({ signalUrl } = await signaling());
  });
  afterEach(() => {
    for (const el of elements.splice(0)) {
      el.leave();
      el.remove();
    }
  });
  return {
    get signalUrl() {
      return signalUrl;
    },
    elements,
    async startCall({ doctor: doctorProps = {}, patient: patientProps = {}, server = signalUrl, prefix = 'call' } = {}) {
      const room = uniqueRoom(prefix);
      const doctor = createConsult({ server, room, consultRole: 'doctor', ...doctorProps });
      const patient = createConsult({ server, room, consultRole: 'patient', ...patientProps });
      elements.push(doctor, patient);
      await doctor.join();
      await untilState(doctor, 'waiting');
      const knocked = untilKnock(doctor);
      await patient.join();
      await untilState(patient, 'waiting');
      await knocked;
      doctor.admit();
      await Promise.all([untilState(doctor, 'connected'), untilState(patient, 'connected')]);
      return { doctor, patient, room };
    },
    async startCallWithPeerPage({ doctor: doctorProps = {}, prefix = 'pages' } = {}) {
      const room = uniqueRoom(prefix);
      const doctor = createConsult({ server: signalUrl, room, consultRole: 'doctor', ...doctorProps });
      elements.push(doctor);
      await doctor.join();
      const knocked = untilKnock(doctor);
      const page = await openPeerPage();
      try {
        await joinAsPatient(page, signalUrl, room);
        await knocked;
        doctor.admit();
        await untilState(doctor, 'connected');
      } catch (error) {
        await page.close();
        throw error;
      }
      return { doctor, page, room };
    },
  };
}

/** Puts a patient `<video-consult id="patient">` into a peer page, joins `room` with it, and returns its state. */
export function joinAsPatient(page: PeerPage, server: string, room: string): Promise<string> {
  return page.run(
    async (s: string, r: string) => {
      const el = document.createElement('video-consult');
      Object.assign(el, { server: s, room: r, consultRole: 'patient', id: 'patient' });
      document.body.append(el);
      await el.join();
      return el.state;
    },
    server,
    room,
  );
}
