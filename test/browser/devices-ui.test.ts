// The device panel, the camera flip and screen sharing, as a person uses them: found by role and
// name, opened and chosen with real mouse clicks and keys, in a call with Chromium's fake devices
// (`device-count=3` in test/web-test-runner.config.mjs) and its fake screen.
import { expect } from '@open-wc/testing';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../src/index.js';
import type { VideoConsult } from '../../src/element/video-consult.js';
import { useConsults } from './consults.js';
import { eventually, localVideo } from './helpers.js';
import { centre, control, hitTest } from './ui-support.js';

const consults = useConsults();

async function click(el: HTMLElement): Promise<void> {
  const [x, y] = centre(el);
  const hit = hitTest(x, y);
  expect(hit === el || el.contains(hit), `a click at the centre of ${el.outerHTML.slice(0, 60)} reaches it`).to.equal(true);
  await sendMouse({ type: 'click', position: [x, y] });
}

const cameraId = (el: VideoConsult) => (localVideo(el).srcObject as MediaStream | null)?.getVideoTracks()[0]?.getSettings().deviceId;
const picker = (el: VideoConsult, kind: string) => el.shadowRoot!.querySelector<HTMLSelectElement>(`[part~="devices"] select[data-kind="${kind}"]`)!;

describe('device panel', () => {
  it('lists the cameras and microphones, and choosing the second camera changes the camera in use', async () => {
    const { doctor } = await consults.startCall({ prefix: 'devices-ui' });
    await eventually(() => doctor.devices.cameras.length >= 2 && doctor.devices.microphones.length >= 2, 'two cameras and two microphones listed');
    await click(control(doctor, 'button', 'Camera, microphone and speaker'));
    await eventually(() => !doctor.shadowRoot!.querySelector<HTMLElement>('[part~="devices"]')!.hidden, 'the panel opens');
    const cameras = control(doctor, 'select', 'Camera') as HTMLSelectElement;
    const microphones = control(doctor, 'select', 'Microphone') as HTMLSelectElement;
    expect([...cameras.options].map((o) => o.value)).to.deep.equal(doctor.devices.cameras.map((c) => c.id));
    expect([...microphones.options].map((o) => o.value)).to.deep.equal(doctor.devices.microphones.map((c) => c.id));
    await eventually(() => cameras.value === cameraId(doctor), `the panel shows the camera in use (${cameras.value}, in use ${cameraId(doctor)})`);
    // The focus is in the panel: the keyboard picks the other camera.
    await eventually(() => doctor.shadowRoot!.activeElement === cameras, 'the focus moves into the panel');
    const before = cameraId(doctor);
    const second = [...cameras.options].find((o) => o.value !== before)!.value;
    await sendKeys({ press: cameras.selectedIndex === 0 ? 'ArrowDown' : 'ArrowUp' });
    await eventually(() => cameraId(doctor) === second, 'the self-view shows the second camera');
    await doctor.updateComplete;
    expect(picker(doctor, 'camera').value).to.equal(second);
    expect(doctor.devices.camera).to.equal(second);
    await sendKeys({ press: 'Escape' });
    await eventually(() => doctor.shadowRoot!.querySelector<HTMLElement>('[part~="devices"]')!.hidden, 'Escape closes the panel');
  });

  it('the flip button switches to the other camera', async () => {
    const { doctor } = await consults.startCall({ prefix: 'devices-flip' });
    await eventually(() => doctor.devices.cameras.length >= 2, 'two cameras');
    await doctor.updateComplete;
    const before = cameraId(doctor);
    await click(control(doctor, 'button', 'Switch camera'));
    await eventually(() => cameraId(doctor) && cameraId(doctor) !== before, 'another camera in use');
    await eventually(
      () => doctor.devices.camera === cameraId(doctor),
      `devices names the camera in use (${doctor.devices.camera}, in use ${cameraId(doctor)})`,
    );
    // The fake cameras say no facing: mirrored, as a front camera is.
    expect(getComputedStyle(localVideo(doctor)).transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
  });

  it('Share screen: the other side sees the screen large and the camera small; Stop sharing returns to the camera', async () => {
    const { doctor, patient } = await consults.startCall({ prefix: 'devices-share' });
    await doctor.updateComplete;
    expect(patient.shadowRoot!.querySelector('[part~="share-button"]'), 'the patient may not share by default').to.equal(null);
    await click(control(doctor, 'button', 'Share screen'));
    const screen = () => patient.shadowRoot!.querySelector<HTMLVideoElement>('video.screen')!;
    await eventually(() => !screen().hidden && screen().currentTime > 0.5, 'the patient sees the screen playing');
    const stage = patient.getBoundingClientRect();
    const large = screen().getBoundingClientRect();
    const camera = patient.shadowRoot!.querySelector<HTMLVideoElement>('video.remote')!.getBoundingClientRect();
    expect(large.width * large.height, 'the screen takes most of the element').to.be.greaterThan(0.5 * stage.width * stage.height);
    expect(camera.width * camera.height, "the doctor's camera is small").to.be.lessThan(0.25 * large.width * large.height);
    expect(camera.width, "the doctor's camera stays visible").to.be.greaterThan(0);
    // Two buttons say "Stop sharing" now: the control bar's and the sharing bar's; the bar's is used.
    await doctor.updateComplete;
    await click(doctor.shadowRoot!.querySelector<HTMLElement>('[part~="stop-sharing-button"]')!);
    await eventually(() => screen().hidden, 'the screen goes away on the patient side');
    await eventually(() => !doctor.shadowRoot!.querySelector('[part~="stop-sharing-button"]'), 'the sharing bar goes away');
    expect(control(doctor, 'button', 'Share screen')).to.not.equal(null);
  });
});
