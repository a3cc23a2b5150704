import { expect, oneEvent } from '@open-wc/testing';
import '../../src/index.js';
import { ConsultSession, WebSocketTransport, type Transport } from '../../src/index.js';
import type { VideoConsult } from '../../src/element/video-consult.js';
import { openPeerPage, signalingLogs, startSignaling, stopSignaling } from './harness.js';
import { useConsults } from './consults.js';
import { createConsult, eventually, uniqueRoom, untilKnock, untilRemoteVideoPlays, untilState } from './helpers.js';

const consults = useConsults();
const { elements } = consults;

const startCall = (doctor: Record<string, unknown> = {}, patient: Record<string, unknown> = {}, server?: string) =>
  consults.startCall({ doctor, patient, server, prefix: 'priv' });

const untilPeerName = (el: VideoConsult, name: string) => eventually(() => el.peerName === name, `peer name ${JSON.stringify(name)} on ${el.role}`);
const shadow = (el: VideoConsult) => el.shadowRoot!;
const peerNameLabel = (el: VideoConsult) => shadow(el).querySelector<HTMLElement>('[part~="peer-name"]')!;

describe('names over the data channel', () => {
  it('each side shows the other name next to the video and announces it', async () => {
    const room = uniqueRoom('names');
    const doctor = createConsult({ server: consults.signalUrl, room, consultRole: 'doctor', displayName: 'Dr. Ada Lovelace' });
    const patient = createConsult({ server: consults.signalUrl, room, consultRole: 'patient', displayName: 'Max Müller' });
    elements.push(doctor, patient);
    const doctorLearns = oneEvent(doctor, 'vc-peer-name');
    await doctor.join();
    const knocked = untilKnock(doctor);
    await patient.join();
    await knocked;
    doctor.admit();
    expect((await doctorLearns).detail.name).to.equal('Max Müller');
    await untilPeerName(patient, 'Dr. Ada Lovelace');
    await doctor.updateComplete;
    expect(peerNameLabel(doctor).textContent).to.equal('Max Müller');
    expect(peerNameLabel(doctor).hidden).to.equal(false);
  });

  it('a name changed during the call updates on the other side', async () => {
    const { doctor, patient } = await startCall({ displayName: 'Dr. A' }, { displayName: 'Pat' });
    await untilPeerName(doctor, 'Pat');
    const renamed = oneEvent(doctor, 'vc-peer-name');
    patient.displayName = 'Patricia';
    expect((await renamed).detail.name).to.equal('Patricia');
    await doctor.updateComplete;
    expect(peerNameLabel(doctor).textContent).to.equal('Patricia');
  });

  it('hostile names are shown as inert text: no HTML, no invisible or control characters, clipped', async () => {
    const html = '<img src=x onerror="window.__pwned=1">';
    const { doctor, patient } = await startCall({}, { displayName: html });
    await untilPeerName(doctor, html);
    await doctor.updateComplete;
    expect(shadow(doctor).querySelector('img')).to.equal(null);
    expect((window as unknown as { __pwned?: number }).__pwned).to.equal(undefined);
    expect(peerNameLabel(doctor).textContent).to.equal(html);

    // Right-to-left override, zero-width characters and control characters disappear.
    patient.displayName = 'Eve\u202Egnp.exe\u200B\u0007\u0000 Smith';
    await untilPeerName(doctor, 'Evegnp.exe Smith');

    // 10,000 characters: clipped to 64, and the label stays inside the element.
    patient.displayName = 'W'.repeat(10_000);
    await untilPeerName(doctor, 'W'.repeat(64));
    await doctor.updateComplete;
    const label = peerNameLabel(doctor).getBoundingClientRect();
    const frame = doctor.getBoundingClientRect();
    expect(label.right).to.be.at.most(frame.right + 0.5);
    expect(label.width).to.be.at.most(frame.width / 2 + 1);
  });
});

describe('chat', () => {
  it('sendMessage() reaches the other side as vc-message; the unread count shows while the panel is closed', async () => {
    const { doctor, patient } = await startCall();
    const received = oneEvent(doctor, 'vc-message');
    const sent = patient.sendMessage('Hello, doctor.\nSecond line.');
    expect(sent).to.include({ from: 'local', text: 'Hello, doctor.\nSecond line.' });
    expect((await received).detail).to.include({ from: 'remote', text: 'Hello, doctor.\nSecond line.' });
    await doctor.updateComplete;
    const chatButton = shadow(doctor).querySelector<HTMLButtonElement>('[part~="chat-button"]')!;
    expect(chatButton.querySelector('.unread')!.textContent).to.equal('1');
    expect(chatButton.getAttribute('aria-label')).to.contain('1 unread');
    chatButton.click();
    await doctor.updateComplete;
    expect(chatButton.querySelector<HTMLElement>('.unread')!.hidden).to.equal(true);
    const lines = [...shadow(doctor).querySelectorAll('.messages li p')].map((p) => p.textContent);
    expect(lines).to.deep.equal(['Hello, doctor.\nSecond line.']);
  });

  it('the chat panel sends with Enter and keeps the text when sending is refused', async () => {
    const { doctor, patient } = await startCall();
    shadow(patient).querySelector<HTMLButtonElement>('[part~="chat-button"]')!.click();
    await patient.updateComplete;
    const input = shadow(patient).querySelector<HTMLTextAreaElement>('textarea.chat-input')!;
    input.value = 'typed in the box';
    const received = oneEvent(doctor, 'vc-message');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    expect((await received).detail.text).to.equal('typed in the box');
    expect(input.value).to.equal('');

    const tooLong = 'x'.repeat(10_000);
    input.value = tooLong;
    const refused = oneEvent(patient, 'vc-error');
    shadow(patient).querySelector<HTMLButtonElement>('form button[type="submit"]')!.click();
    expect((await refused).detail).to.include({ code: 'chat-too-long', fatal: false });
    expect(input.value).to.equal(tooLong);
    await patient.updateComplete;
    expect(shadow(patient).querySelector('[data-code="chat-too-long"]')!.textContent).to.contain('too long');
  });

  it('hostile messages are rendered as text and never break the layout', async () => {
    const { doctor, patient } = await startCall();
    shadow(doctor).querySelector<HTMLButtonElement>('[part~="chat-button"]')!.click();
    const hostile = [
      '<img src=x onerror="window.__pwned=2"><script>window.__pwned=3</script>',
      'pay\u202Etxt.exe\u200B\u2066here\u0001',
      'y'.repeat(4000),
    ];
    for (const text of hostile) {
      const received = oneEvent(doctor, 'vc-message');
      patient.sendMessage(text);
      await received;
    }
    await doctor.updateComplete;
    expect(shadow(doctor).querySelector('.messages img, .messages script')).to.equal(null);
    expect((window as unknown as { __pwned?: number }).__pwned).to.equal(undefined);
    const lines = [...shadow(doctor).querySelectorAll('.messages li p')].map((p) => p.textContent);
    expect(lines[0]).to.equal(hostile[0]);
    expect(lines[1]).to.equal('paytxt.exehere');
    expect(lines[2]).to.have.length(4000);
    const panel = shadow(doctor).querySelector('[part~="chat"]')!.getBoundingClientRect();
    for (const li of shadow(doctor).querySelectorAll('.messages li')) {
      expect(li.getBoundingClientRect().right).to.be.at.most(panel.right + 0.5);
    }
    expect(() => patient.sendMessage('z'.repeat(4001)))
      .to.throw()
      .with.property('code', 'chat-too-long');
  });

  it('sending outside a call is refused with not-connected', async () => {
    const el = createConsult({ server: consults.signalUrl, room: uniqueRoom(), consultRole: 'patient' });
    elements.push(el);
    expect(() => el.sendMessage('hi'))
      .to.throw()
      .with.property('code', 'not-connected');
  });
});

describe('verification code', () => {
  it('is the same 15-digit code on both sides of a real call', async () => {
    const room = uniqueRoom('verify');
    const doctor = createConsult({ server: consults.signalUrl, room, consultRole: 'doctor' });
    const patient = createConsult({ server: consults.signalUrl, room, consultRole: 'patient' });
    elements.push(doctor, patient);
    const doctorCode = oneEvent(doctor, 'vc-verification');
    const patientCode = oneEvent(patient, 'vc-verification');
    await doctor.join();
    const knocked = untilKnock(doctor);
    await patient.join();
    await knocked;
    doctor.admit();
    const [a, b] = await Promise.all([doctorCode, patientCode]);
    expect(a.detail.code).to.match(/^\d{3}( \d{3}){4}$/);
    expect(a.detail.code).to.equal(b.detail.code);
    // Shown with its explanation in the security panel.
    shadow(doctor).querySelector<HTMLButtonElement>('[part~="info-button"]')!.click();
    await eventually(() => shadow(doctor).querySelector('[part~="info"] .code')!.textContent === a.detail.code, 'code shown');
    expect(shadow(doctor).querySelector('[part~="info"]')!.textContent).to.contain('someone is in between');
  });

  it('a relay that swaps the fingerprint lines never produces a matching code', async () => {
    // A signaling path that rewrites every fingerprint in the SDP, as a man in the middle would.
    const tamper = (sdp: string) =>
      sdp.replace(
        /(a=fingerprint:sha-256 )([0-9A-F:]+)/g,
        (_m, prefix: string, fp: string) => prefix + fp.replace(/[0-9A-F]/g, (c) => ((parseInt(c, 16) + 1) % 16).toString(16).toUpperCase()),
      );
    const tamperingTransport = (url: string, token?: string): Transport => {
      const inner = new WebSocketTransport(url, token);
      const send = inner.send.bind(inner);
      inner.send = (message) => {
        if (message.type === 'description' && message.description.sdp) {
          send({ ...message, description: { ...message.description, sdp: tamper(message.description.sdp) } });
        } else send(message);
      };
      return inner;
    };
    const room = uniqueRoom('mitm');
    const doctor = new ConsultSession({ server: consults.signalUrl, room, role: 'doctor', transport: tamperingTransport });
    const patient = new ConsultSession({ server: consults.signalUrl, room, role: 'patient', transport: tamperingTransport });
    try {
      await doctor.join();
      const knock = new Promise<void>((r) => doctor.on('knock', ({ waiting }) => waiting && r()));
      await patient.join();
      await knock;
      doctor.admit();
      // DTLS refuses certificates that do not match the (tampered) fingerprints.
      await eventually(
        () => [doctor, patient].every((s) => s.peerConnection?.connectionState === 'failed' || s.state === 'reconnecting'),
        'both connections fail',
        20_000,
      );
      expect(doctor.verificationCode).to.equal(undefined);
      expect(patient.verificationCode).to.equal(undefined);
    } finally {
      doctor.dispose();
      patient.dispose();
    }
  });
});

describe('security facts', () => {
  it('the panel shows DTLS and SRTP in use and a direct path', async () => {
    const { doctor } = await startCall();
    const info = await doctor.getSecurityInfo();
    expect(info).to.include({ dtlsState: 'connected', path: 'direct' });
    expect(info!.srtpCipher).to.be.a('string').and.not.equal('');
    expect(info!.dtlsCipher).to.be.a('string').and.not.equal('');
    shadow(doctor).querySelector<HTMLButtonElement>('[part~="info-button"]')!.click();
    await eventually(() => shadow(doctor).querySelector('[part~="info"] dl')!.textContent!.includes(info!.srtpCipher!), 'ciphers shown');
    expect(shadow(doctor).querySelector('[part~="info"] .path')!.textContent).to.contain('Direct');
  });
});

describe('the server learns nothing personal', () => {
  it('no name, chat text or code appears in any frame the server receives or sends, or in its logs', async () => {
    const server = await startSignaling({ captureLogs: true });
    // Record every signaling frame of this page, both directions.
    const frames: string[] = [];
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data) {
      frames.push(String(data));
      return send.call(this, data);
    };
    const onMessage = (event: MessageEvent) => frames.push(String(event.data));
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', onMessage);
      }
    };
    try {
      const secrets = { doctor: 'Dr. Secret Doctorname', patient: 'Patient Privatename', chat: 'my rash is itchy since tuesday' };
      const { doctor, patient } = await startCall({ displayName: secrets.doctor }, { displayName: secrets.patient }, server.signalUrl);
      await untilPeerName(doctor, secrets.patient);
      await untilPeerName(patient, secrets.doctor);
      const received = oneEvent(doctor, 'vc-message');
      patient.sendMessage(secrets.chat);
      await received;
      const code = await eventually(() => doctor.verificationCode, 'verification code');
      await untilRemoteVideoPlays(doctor);
      doctor.leave();
      await untilState(patient, 'ended');

      const logs = JSON.stringify(await signalingLogs(server.id));
      expect(frames.length).to.be.greaterThan(5);
      expect(logs.length).to.be.greaterThan(10);
      const everything = frames.join('\n') + '\n' + logs;
      for (const secret of [...Object.values(secrets), code as string]) {
        expect(everything.includes(secret), `server saw ${JSON.stringify(secret)}`).to.equal(false);
      }
      // The logs carry no SDP either.
      expect(logs).not.to.contain('a=fingerprint');
      expect(logs).not.to.contain('candidate:');
    } finally {
      WebSocket.prototype.send = send;
      window.WebSocket = NativeWebSocket;
      await stopSignaling(server.id);
    }
  });
});

describe('no third parties', () => {
  it('the demo page and a call request only the page origin and the configured signaling server', async () => {
    const server = await startSignaling();
    const origin = server.url;
    const room = uniqueRoom('3p');
    const doctorPage = await openPeerPage({ origin, path: `/?room=${room}&role=doctor` });
    const patientPage = await openPeerPage({ origin, path: `/?room=${room}&role=patient` });
    try {
      await doctorPage.run(() => (document.getElementById('consult') as VideoConsult).join());
      await patientPage.run(() => (document.getElementById('consult') as VideoConsult).join());
      await doctorPage.run(async () => {
        const el = document.getElementById('consult') as VideoConsult;
        await new Promise<void>((resolve) => {
          if (el.knocking) resolve();
          el.addEventListener('vc-knock', () => resolve(), { once: true });
        });
        el.admit();
      });
      const candidateUrls = await patientPage.run(async () => {
        const el = document.getElementById('consult') as VideoConsult;
        await new Promise<void>((resolve) => {
          if (el.state === 'connected') resolve();
          el.addEventListener('vc-state-change', (e) => e.detail.state === 'connected' && resolve());
        });
        const urls: string[] = [];
        (await el.getStats())?.forEach((s) => {
          if (s.type === 'local-candidate' && s.url) urls.push(s.url);
        });
        return urls;
      });
      // The demo configures no STUN or TURN server, so no candidate came from anyone's.
      expect(candidateUrls).to.deep.equal([]);
      const requests = [...(await doctorPage.requests()), ...(await patientPage.requests())];
      expect(requests.length).to.be.greaterThan(3);
      const signalOrigin = new URL(server.signalUrl).origin;
      const foreign = requests.filter((url) => {
        const { origin: o } = new URL(url);
        return o !== origin && o !== signalOrigin && !url.startsWith('blob:') && !url.startsWith('data:');
      });
      expect(foreign).to.deep.equal([]);
      expect(requests).to.include(server.signalUrl);
    } finally {
      await doctorPage.close();
      await patientPage.close();
      await stopSignaling(server.id);
    }
  });

  it('the element works under a strict Content-Security-Policy (no unsafe-inline, no unsafe-eval)', async () => {
    const page = await openPeerPage({ path: '/test/support/csp.html' });
    try {
      const room = uniqueRoom('csp');
      const doctor = createConsult({ server: consults.signalUrl, room, consultRole: 'doctor' });
      elements.push(doctor);
      await doctor.join();
      const knocked = untilKnock(doctor);
      await page.run(
        async (server: string, r: string) => {
          const violations: string[] = [];
          document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
          (window as unknown as { violations: string[] }).violations = violations;
          const el = document.createElement('video-consult');
          Object.assign(el, { server, room: r, consultRole: 'patient', id: 'patient' });
          document.body.append(el);
          await el.join();
        },
        consults.signalUrl,
        room,
      );
      await knocked;
      doctor.admit();
      await untilState(doctor, 'connected');
      await untilRemoteVideoPlays(doctor);
      const result = await page.run(async () => {
        const el = document.getElementById('patient') as VideoConsult;
        const h = (window as any).helpers;
        await h.untilState(el, 'connected');
        await h.untilRemoteVideoPlays(el);
        const styled = getComputedStyle(el.shadowRoot!.querySelector('[part~="controls"]')!).display;
        return { violations: (window as unknown as { violations: string[] }).violations, styled };
      });
      expect(result.violations).to.deep.equal([]);
      expect(result.styled).to.equal('flex');
    } finally {
      await page.close();
    }
  });
});
