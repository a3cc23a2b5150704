// The script-tag way of docs/precall-check.md: a plain page (the demo's check page) that loads
// dist/cdn/video-consult-check.js gets a working <video-consult-check>, while video-consult.js
// alone leaves the tag undefined (a blank element, no error), which is why the docs load the former.
// Each page runs in an iframe of its own, a realm with its own custom element registry.
import { expect } from '@open-wc/testing';

async function frame(attributes: { src?: string; srcdoc?: string }): Promise<HTMLIFrameElement> {
  const iframe = document.createElement('iframe');
  iframe.style.width = '800px';
  const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
  Object.assign(iframe, attributes);
  document.body.append(iframe);
  await loaded;
  return iframe;
}

const within = <T>(promise: Promise<T>, what: string) =>
  Promise.race([promise, new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`${what} within 10 s`)), 10_000))]);

afterEach(() => document.querySelectorAll('iframe').forEach((f) => f.remove()));

describe('<video-consult-check> from a script tag', () => {
  it('video-consult-check.js defines the check, which renders', async () => {
    const page = await frame({ src: '/demo/check.html' });
    const registry = page.contentWindow!.customElements;
    await within(registry.whenDefined('video-consult-check'), 'video-consult-check defined');
    const el = page.contentDocument!.getElementById('check') as HTMLElement & { updateComplete: Promise<unknown> };
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('h2')!.textContent).to.equal('Test your setup');
  });

  it('video-consult.js alone defines the call but not the check', async () => {
    const page = await frame({
      srcdoc: '<script type="module" src="/dist/cdn/video-consult.js"></script><video-consult-check></video-consult-check>',
    });
    const registry = page.contentWindow!.customElements;
    await within(registry.whenDefined('video-consult'), 'video-consult defined');
    expect(registry.get('video-consult-check')).to.equal(undefined);
    expect(page.contentDocument!.querySelector('video-consult-check')!.shadowRoot).to.equal(null);
  });
});
