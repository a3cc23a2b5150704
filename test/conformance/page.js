// The page side of call.test.ts: the element as a clinic page uses it, and what it reports to Node
// (through the `report` function the test exposes).
const EVENTS = [
  'vc-state-change',
  'vc-error',
  'vc-knock',
  'vc-peer-name',
  'vc-message',
  'vc-verification',
  'vc-files-available',
  'vc-file-offer',
  'vc-file-received',
  'vc-file-sent',
  'vc-file-error',
];

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
const sha256 = async (bytes) => hex(await crypto.subtle.digest('SHA-256', bytes));

let consult;

window.conformance = {
  /** Creates the doctor's element and joins; every event goes to `report`. */
  start(server, room, token) {
    consult = document.createElement('video-consult');
    Object.assign(consult, { server, room, token, consultRole: 'doctor', displayName: 'Dr. Conformance' });
    for (const type of EVENTS) {
      consult.addEventListener(type, async (event) => {
        const detail = { ...event.detail };
        if (type === 'vc-file-offer') {
          // The page decides: it accepts every file.
          event.preventDefault();
          consult.acceptFile(detail.id);
        }
        if (detail.file) {
          detail.sha256 = await sha256(await detail.file.arrayBuffer());
          delete detail.file;
        }
        window.report(type, detail);
      });
    }
    document.body.append(consult);
    void consult.join();
  },
  admit: () => consult.admit(),
  sendMessage: (text) => consult.sendMessage(text),
  /** Sends `size` random bytes as a PDF; answers their SHA-256. */
  async sendFile(name, size) {
    const bytes = new Uint8Array(size);
    for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
    consult.sendFile(new File([bytes], name, { type: 'application/pdf' }));
    return sha256(bytes);
  },
};
