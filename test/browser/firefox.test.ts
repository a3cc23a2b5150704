// Interop: the doctor in this Chromium page, the patient in a page of Firefox ESR, through the real
// signaling server. Firefox starts once for the run (see peer-pages-plugin.mjs); without it these
// tests fail and say how to install it.
import { expect, oneEvent } from '@open-wc/testing';
import '../../src/index.js';
import type { VideoConsult } from '../../src/element/video-consult.js';
import { FRAME_HEADER_BYTES } from '../../src/protocol/file-transfer.js';
import { openPeerPage, type PeerPage, signaling } from './harness.js';
import {
  createConsult,
  eventually,
  received,
  randomFile,
  sha256,
  uniqueRoom,
  untilKnock,
  untilRemoteAudioFlows,
  untilRemoteVideoPlays,
  untilState,
  watchFileChannel,
  type FileChannelRecord,
} from './helpers.js';

/** The largest frame the file channel sends, whatever the connection allows (docs/file-transfer.md). */
const MAX_CHUNK_BYTES = 256 * 1024;
/** Several chunks, and a last one that is not full. */
const FILE_BYTES = 3 * 1024 * 1024 + 4321;

/** The file button shows once the other side's hello said it takes files. */
const filesOffered = (el: VideoConsult) => {
  const button = el.shadowRoot!.querySelector<HTMLElement>('[part~="file-button"]');
  return !!button && !button.hidden;
};

/**
 * The frames of one file, as the sender's channel sent them and the receiver's delivered them:
 * every frame fits the sender's negotiated `maxMessageSize`, all but the last are exactly
 * `min(maxMessageSize, 256 KiB)`, and each arrives as one message of the same size.
 */
function expectChunked(sender: FileChannelRecord, receiver: FileChannelRecord, bytes: number) {
  expect(sender.maxMessageSize, "the sender's sctp.maxMessageSize").to.be.a('number').and.greaterThan(0);
  const chunk = Math.min(sender.maxMessageSize!, MAX_CHUNK_BYTES);
  const frames = sender.sent;
  expect(frames.length, 'several chunks').to.be.greaterThan(1);
  expect(
    frames.slice(0, -1).every((n) => n === chunk),
    `full frames of ${chunk} bytes: ${frames.join(', ')}`,
  ).to.equal(true);
  expect(frames.at(-1)).to.be.at.most(chunk);
  // The payloads after each frame's header add up to the file.
  expect(frames.reduce((sum, n) => sum + n - FRAME_HEADER_BYTES, 0)).to.equal(bytes);
  expect(receiver.received, 'frames as they arrived').to.deep.equal(frames);
}

describe('a call between Chromium and Firefox ESR', function () {
  // Two browsers on a busy two-core machine: generous, since these tests are not about speed.
  this.timeout(120_000);

  let doctor: VideoConsult;
  let firefox: PeerPage;
  let watch: ReturnType<typeof watchFileChannel>;

  before(async () => {
    const { signalUrl } = await signaling();
    const room = uniqueRoom('firefox');
    watch = watchFileChannel();
    doctor = createConsult({ server: signalUrl, room, consultRole: 'doctor' });
    await doctor.join();
    const knocked = untilKnock(doctor, 60_000);
    firefox = await openPeerPage({ browser: 'firefox' });
    await firefox.run(
      async (server: string, r: string) => {
        const w = window as any;
        w.fileChannel = w.helpers.watchFileChannel();
        const el = document.createElement('video-consult');
        Object.assign(el, { server, room: r, consultRole: 'patient', id: 'patient' });
        document.body.append(el);
        await el.join();
      },
      signalUrl,
      room,
    );
    await knocked;
    doctor.admit();
    await untilState(doctor, 'connected', 60_000);
    await firefox.runLong(async () => {
      await (window as any).helpers.untilState(document.getElementById('patient'), 'connected', 60_000);
    });
  });

  after(async () => {
    doctor?.leave();
    doctor?.remove();
    watch?.stop();
    await firefox?.close();
  });

  it('Chromium shows the Firefox side’s video and hears its sound', async () => {
    await untilRemoteVideoPlays(doctor);
    await untilRemoteAudioFlows(doctor);
    const seen = await received(doctor);
    expect(seen.frameWidth).to.be.greaterThan(0);
    expect(seen.framesDecoded).to.be.greaterThan(0);
  });

  it('Firefox shows the Chromium side’s video and hears its sound', async () => {
    const seen = await firefox.runLong(async () => {
      const h = (window as any).helpers;
      const el = document.getElementById('patient') as VideoConsult;
      await h.untilRemoteVideoPlays(el);
      await h.untilRemoteAudioFlows(el);
      return { stats: await h.received(el), videoWidth: h.remoteVideo(el).videoWidth as number };
    });
    expect(seen.videoWidth).to.be.greaterThan(0);
    expect(seen.stats.frameWidth).to.be.greaterThan(0);
    expect(seen.stats.framesDecoded).to.be.greaterThan(5);
    expect(seen.stats.audioPackets).to.be.greaterThan(10);
  });

  it('a file from Chromium arrives in Firefox with the same SHA-256', async () => {
    await eventually(() => filesOffered(doctor), 'the doctor can send files');
    const before = await firefox.run(() => {
      const w = window as any;
      const el = document.getElementById('patient') as VideoConsult;
      // The page accepts the offer itself and hashes what arrives.
      el.addEventListener('vc-file-offer', (e) => {
        e.preventDefault();
        el.acceptFile(e.detail.id);
      });
      w.fileArrived = new Promise((resolve) => {
        el.addEventListener('vc-file-received', async ({ detail }) => {
          resolve({ name: detail.name, size: detail.size, hash: detail.hash, sha256: await w.helpers.sha256(detail.file) });
        });
      });
      return w.fileChannel.read() as FileChannelRecord;
    });
    const sentBefore = watch.read().sent.length;

    const file = randomFile(FILE_BYTES, 'referral.pdf');
    const sent = oneEvent(doctor, 'vc-file-sent');
    const transfer = doctor.sendFile(file);
    const got = await firefox.runLong(() => (window as any).fileArrived as Promise<{ name: string; size: number; hash: string; sha256: string }>);
    expect(got).to.include({ name: 'referral.pdf', size: FILE_BYTES });
    expect(got.sha256).to.equal(await sha256(file));
    expect((await sent).detail.hash).to.equal(got.hash);
    await transfer.done;

    const ours = watch.read();
    const theirs = await firefox.run(() => (window as any).fileChannel.read() as FileChannelRecord);
    expectChunked({ ...ours, sent: ours.sent.slice(sentBefore) }, { ...theirs, received: theirs.received.slice(before.received.length) }, FILE_BYTES);
  });

  it('a file from Firefox arrives in Chromium with the same SHA-256', async () => {
    await eventually(
      () =>
        firefox.run(() => {
          const button = document.getElementById('patient')!.shadowRoot!.querySelector<HTMLElement>('[part~="file-button"]');
          return !!button && !button.hidden;
        }),
      'the patient can send files',
    );
    const receivedBefore = watch.read().received.length;
    doctor.addEventListener('vc-file-offer', (e) => {
      e.preventDefault();
      doctor.acceptFile(e.detail.id);
    });
    const arrived = oneEvent(doctor, 'vc-file-received');

    const {
      before,
      size,
      sha256: theirHash,
    } = await firefox.run(async (bytes: number) => {
      const w = window as any;
      const el = document.getElementById('patient') as VideoConsult;
      const sending = w.helpers.randomFile(bytes, 'photo of the rash.jpg', 'image/jpeg') as File;
      const record = w.fileChannel.read() as FileChannelRecord;
      w.fileSent = el.sendFile(sending).done;
      return { before: record, size: sending.size, sha256: (await w.helpers.sha256(sending)) as string };
    }, FILE_BYTES);

    const got = (await arrived).detail;
    expect(got).to.include({ name: 'photo of the rash.jpg', size, type: 'image/jpeg' });
    expect(await sha256(got.file!)).to.equal(theirHash);
    const confirmed = await firefox.runLong(() => (window as any).fileSent as Promise<{ size: number; hash: string }>);
    expect(confirmed).to.include({ size, hash: got.hash });

    const ours = watch.read();
    const theirs = await firefox.run(() => (window as any).fileChannel.read() as FileChannelRecord);
    expectChunked({ ...theirs, sent: theirs.sent.slice(before.sent.length) }, { ...ours, received: ours.received.slice(receivedBefore) }, FILE_BYTES);
  });
});
