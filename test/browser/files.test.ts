import { expect, oneEvent } from '@open-wc/testing';
import '../../src/index.js';
import type { VideoConsult } from '../../src/element/video-consult.js';
import { signalingLogs, startSignaling, stopSignaling } from './harness.js';
import { useConsults } from './consults.js';
import { createConsult, eventually, randomFile, sha256, uniqueRoom } from './helpers.js';
import { unreadableFrom } from './file-transfer-support.js';

const consults = useConsults();
const { elements } = consults;

async function startCall(doctor: Record<string, unknown> = {}, server?: string) {
  const call = await consults.startCall({ doctor, server, prefix: 'files' });
  // Files need the other side's hello (which says it can take files).
  const button = () => call.patient.shadowRoot!.querySelector<HTMLElement>('[part~="file-button"]');
  await eventually(() => button() && !button()!.hidden, 'file button');
  return call;
}

describe('files in the element', () => {
  it('the patient sends a file; the doctor accepts it in the panel and gets the same bytes', async () => {
    const { doctor, patient } = await startCall();
    const file = randomFile(3_000_000, 'lab-results.pdf');
    const offered = oneEvent(doctor, 'vc-file-offer');
    const sent = oneEvent(patient, 'vc-file-sent');
    const transfer = patient.sendFile(file);
    const offer = (await offered).detail;
    expect(offer).to.include({ name: 'lab-results.pdf', size: 3_000_000, type: 'application/pdf' });

    shadowClick(doctor, '[part~="chat-button"]');
    await doctor.updateComplete;
    const row = doctor.shadowRoot!.querySelector(`[part~="files"] li[data-id="${offer.id}"]`)!;
    expect(row.textContent).to.contain('lab-results.pdf');
    const received = oneEvent(doctor, 'vc-file-received');
    (row.querySelector('button.primary') as HTMLButtonElement).click();
    const got = (await received).detail;
    expect(got.size).to.equal(file.size);
    expect(await sha256(got.file!)).to.equal(await sha256(file));
    // The transfer hash as docs/file-transfer.md tells a clinic to compute it from the file.
    expect(got.blockSize).to.equal(262144 - 44);
    expect(got.transferHash).to.equal(await transferHash(file, got.blockSize));
    expect(got.hash).to.equal(got.transferHash);
    expect((await sent).detail).to.include({ id: transfer.id, size: file.size, transferHash: got.transferHash, blockSize: got.blockSize });
    await transfer.done;
    await doctor.updateComplete;
    const save = doctor.shadowRoot!.querySelector<HTMLAnchorElement>(`[part~="files"] li[data-id="${offer.id}"] a[download]`)!;
    expect(save.download).to.equal('lab-results.pdf');
    expect(save.href).to.match(/^blob:/);
  });

  it('a page that prevents vc-file-offer decides itself; a decline reaches the sender', async () => {
    const { doctor, patient } = await startCall();
    doctor.addEventListener('vc-file-offer', (e) => {
      e.preventDefault();
      doctor.declineFile(e.detail.id);
    });
    const failed = oneEvent(patient, 'vc-file-error');
    const transfer = patient.sendFile(randomFile(10_000, 'photo.jpg', 'image/jpeg'));
    expect((await failed).detail).to.include({ id: transfer.id, code: 'file-declined', direction: 'send' });
    await transfer.done.then(
      () => expect.fail('a declined file must not resolve'),
      () => {},
    );
    await doctor.updateComplete;
    expect(doctor.shadowRoot!.querySelector('[part~="files"] li')).to.equal(null);
  });

  it('a file the sending device cannot read any more ends on both sides, with that reason in its row', async () => {
    const { doctor, patient } = await startCall();
    doctor.addEventListener('vc-file-offer', (e) => {
      e.preventDefault();
      doctor.acceptFile(e.detail.id);
    });
    const senderError = oneEvent(patient, 'vc-file-error');
    const receiverError = oneEvent(doctor, 'vc-file-error');
    const transfer = patient.sendFile(unreadableFrom(randomFile(3_000_000, 'referral.pdf'), 1_000_000));
    expect((await senderError).detail).to.include({ id: transfer.id, code: 'file-read-failed', direction: 'send' });
    expect((await receiverError).detail).to.include({ id: transfer.id, code: 'file-read-failed', direction: 'receive' });
    for (const element of [patient, doctor]) {
      await element.updateComplete;
      const row = element.shadowRoot!.querySelector(`[part~="files"] li[data-id="${transfer.id}"]`)!;
      expect(row.getAttribute('data-status')).to.equal('failed');
      expect(row.querySelector('.file-status')!.textContent!.trim()).to.equal('The file could not be read on the sending device.');
    }
  });

  it('a page that decides late, after the other person cancelled the offer, gets undefined and the row keeps the reason', async () => {
    const { doctor, patient } = await startCall();
    const offered = oneEvent(doctor, 'vc-file-offer');
    doctor.addEventListener('vc-file-offer', (e) => e.preventDefault());
    const transfer = patient.sendFile(randomFile(2000, 'photo.jpg', 'image/jpeg'));
    const { id } = (await offered).detail;
    const receiverError = oneEvent(doctor, 'vc-file-error');
    transfer.cancel();
    expect((await receiverError).detail).to.include({ id, code: 'file-cancelled-by-peer', direction: 'receive' });
    expect(doctor.acceptFile(id)).to.equal(undefined);
    await doctor.updateComplete;
    const row = doctor.shadowRoot!.querySelector(`[part~="files"] li[data-id="${id}"]`)!;
    expect(row.getAttribute('data-status')).to.equal('failed');
  });

  it('max-file-size and accept-files on the receiver refuse an offer, with a coded reason on both sides', async () => {
    const { doctor, patient } = await startCall({ maxFileSize: 1000, acceptFiles: 'image/*' });
    const senderError = oneEvent(patient, 'vc-file-error');
    const receiverError = oneEvent(doctor, 'vc-file-error');
    patient.sendFile(randomFile(5000, 'scan.png', 'image/png'));
    expect((await senderError).detail.code).to.equal('file-too-large');
    expect((await receiverError).detail.code).to.equal('file-too-large');
    const typeError = oneEvent(patient, 'vc-file-error');
    patient.sendFile(randomFile(500, 'script.exe', 'application/x-msdownload'));
    expect((await typeError).detail.code).to.equal('file-type-not-accepted');
  });

  it('a hostile file name is shown and saved sanitised', async () => {
    const { doctor, patient } = await startCall();
    const offered = oneEvent(doctor, 'vc-file-offer');
    patient.sendFile(randomFile(100, '../../etc/passwd\u202Egpj.exe\u0000.pdf'));
    const { name } = (await offered).detail;
    // eslint-disable-next-line no-control-regex -- the NUL the name was sent with must be gone
    expect(name).not.to.match(/[/\\\u202E\u0000]/);
    expect(name).not.to.contain('..');
    expect(name.length).to.be.greaterThan(0);
  });

  it('vc-files-available says when sendFile works: true once the other side said it takes files, false when the call ends', async () => {
    const seen: Array<{ el: EventTarget | null; available: boolean }> = [];
    const record = (e: Event) => seen.push({ el: e.target, available: (e as HTMLElementEventMap['vc-files-available']).detail.available });
    document.addEventListener('vc-files-available', record);
    try {
      const { doctor, patient } = await consults.startCall({ prefix: 'files' });
      for (const el of [doctor, patient]) {
        if (!el.filesAvailable) await untilEvent(el, 'vc-files-available');
        expect(el.filesAvailable).to.equal(true);
      }
      expect(seen.filter((s) => s.el === patient).map((s) => s.available)).to.deep.equal([true]);
      const received = oneEvent(doctor, 'vc-file-received');
      doctor.addEventListener('vc-file-offer', (e) => (e.preventDefault(), doctor.acceptFile(e.detail.id)));
      patient.sendFile(randomFile(1000, 'note.txt', 'text/plain'));
      await received;

      const gone = untilEvent(patient, 'vc-files-available');
      doctor.leave();
      expect((await gone).detail.available).to.equal(false);
      expect(patient.filesAvailable).to.equal(false);
      expect(() => patient.sendFile(new Blob(['x'])))
        .to.throw()
        .with.property('code', 'not-connected');
      expect(seen.filter((s) => s.el === patient).map((s) => s.available)).to.deep.equal([true, false]);
      expect(seen.filter((s) => s.el === doctor).map((s) => s.available)).to.deep.equal([true, false]);
    } finally {
      document.removeEventListener('vc-files-available', record);
    }
  });

  it('sending outside a call is refused with not-connected', () => {
    const el = createConsult({ server: consults.signalUrl, room: uniqueRoom(), consultRole: 'patient' });
    elements.push(el);
    expect(() => el.sendFile(new Blob(['x'])))
      .to.throw()
      .with.property('code', 'not-connected');
  });

  it('no file name or file byte reaches the signaling server', async () => {
    const server = await startSignaling({ captureLogs: true });
    const frames: string[] = [];
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data) {
      frames.push(String(data));
      return send.call(this, data);
    };
    try {
      const { doctor, patient } = await startCall({}, server.signalUrl);
      const marker = 'PRIVATE-FILE-CONTENT-7f3a';
      const file = new File([marker.repeat(1000)], 'Befund Müller Max.pdf', { type: 'application/pdf' });
      doctor.addEventListener('vc-file-offer', (e) => {
        e.preventDefault();
        doctor.acceptFile(e.detail.id);
      });
      const received = oneEvent(doctor, 'vc-file-received');
      patient.sendFile(file);
      expect(await (await received).detail.file!.text()).to.equal(marker.repeat(1000));
      const everything = frames.join('\n') + JSON.stringify(await signalingLogs(server.id));
      expect(frames.length).to.be.greaterThan(3);
      expect(everything).not.to.contain('Befund');
      expect(everything).not.to.contain(marker);
    } finally {
      WebSocket.prototype.send = send;
      await stopSignaling(server.id);
    }
  });
});

/** SHA-256 over the SHA-256 digests of the file's `blockSize`-byte blocks, hex. */
async function transferHash(file: Blob, blockSize: number): Promise<string> {
  const digests: Uint8Array[] = [];
  for (let at = 0; at < file.size; at += blockSize) {
    digests.push(new Uint8Array(await crypto.subtle.digest('SHA-256', await file.slice(at, at + blockSize).arrayBuffer())));
  }
  const all = new Uint8Array(digests.length * 32);
  digests.forEach((d, i) => all.set(d, i * 32));
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', all))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const untilEvent = <K extends keyof HTMLElementEventMap>(el: VideoConsult, type: K) => oneEvent(el, type) as Promise<HTMLElementEventMap[K]>;

function shadowClick(el: VideoConsult, selector: string) {
  el.shadowRoot!.querySelector<HTMLElement>(selector)!.click();
}
