import type { Role } from '../protocol/index.js';

let deprecationShown = false;

/**
 * The deprecated `role="doctor|patient"` (the attribute, or the `role` property that reflects to
 * it): returns the consult role it names and takes the attribute off, so that it never becomes the
 * element's ARIA role; warns once per page. Any other value is left alone (an ARIA role the page set).
 */
export function takeLegacyRole(host: HTMLElement, value: string | null): Role | undefined {
  if (value !== 'doctor' && value !== 'patient') return undefined;
  host.removeAttribute('role');
  if (!deprecationShown) console.warn('<video-consult role> is deprecated: use consult-role.');
  deprecationShown = true;
  return value;
}
