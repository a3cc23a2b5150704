// The device panel and the camera flip, as a person uses them: found by role and name, opened and
// chosen with real mouse clicks and keys, in a call with Chromium's fake devices (two cameras and
// two microphones: `device-count=2` in test/web-test-runner.config.mjs).
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
});
