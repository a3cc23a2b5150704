// Looking at the element as a person does: its controls by role and accessible name, where they
// are on the screen, and what axe-core finds.

/** The interactive elements in a tree, through shadow roots. */
const INTERACTIVE = 'button, a[href], textarea, input:not([type="hidden"]), select, summary, [role="button"], [tabindex]:not([tabindex="-1"])';

export interface Control {
  element: HTMLElement;
  role: string;
  name: string;
}

function deepQueryAll(root: Document | ShadowRoot | Element, selector: string): HTMLElement[] {
  const found: HTMLElement[] = [];
  const walk = (node: Document | ShadowRoot | Element) => {
    for (const el of node.querySelectorAll<HTMLElement>('*')) {
      if (el.matches(selector)) found.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  if (root instanceof Element && root.shadowRoot) walk(root.shadowRoot);
  else walk(root);
  return found;
}

function roleOf(el: HTMLElement): string {
  const explicit = el.getAttribute('role');
  if (explicit) return explicit;
  switch (el.localName) {
    case 'a':
      return 'link';
    case 'textarea':
      return 'textbox';
    case 'summary':
      return 'button';
    case 'input':
      return (el as HTMLInputElement).type === 'file' ? 'button' : 'textbox';
    default:
      return el.localName;
  }
}

/** The accessible name as the browser computes it for these simple cases: aria-labelledby, aria-label, then content, then title. */
export function accessibleName(el: HTMLElement): string {
  const root = el.getRootNode() as Document | ShadowRoot;
  const labelledby = el.getAttribute('aria-labelledby');
  if (labelledby) {
    return labelledby
      .split(/\s+/)
      .map((id) => root.getElementById(id)?.textContent ?? '')
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
  }
  const label = el.getAttribute('aria-label');
  if (label) return label.trim();
  const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
  return text || el.getAttribute('title') || '';
}

/** Every control a person can see in `host` (through its shadow root), with role and name. */
export function visibleControls(host: Element): Control[] {
  return deepQueryAll(host, INTERACTIVE)
    .filter((el) => el.checkVisibility({ visibilityProperty: true, opacityProperty: true }))
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    })
    .map((element) => ({ element, role: roleOf(element), name: accessibleName(element) }));
}

/** The one visible control with this role and name (a string is matched exactly, a RegExp by test). */
export function control(host: Element, role: string, name: string | RegExp): HTMLElement {
  const matches = visibleControls(host).filter((c) => c.role === role && (typeof name === 'string' ? c.name === name : name.test(c.name)));
  if (matches.length !== 1) {
    const all = visibleControls(host).map((c) => `${c.role} "${c.name}"`);
    throw new Error(`expected one ${role} named ${String(name)}, found ${matches.length} among: ${all.join(', ')}`);
  }
  return matches[0]!.element;
}

/** The element a click at (x, y) reaches, following shadow roots down. */
export function hitTest(x: number, y: number): Element | null {
  let hit = document.elementFromPoint(x, y);
  while (hit?.shadowRoot) {
    const inner = hit.shadowRoot.elementFromPoint(x, y);
    if (!inner || inner === hit) break;
    hit = inner;
  }
  return hit;
}

export function centre(el: Element): [number, number] {
  const r = el.getBoundingClientRect();
  return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)];
}

// ---- axe-core ---------------------------------------------------------------------------------------

interface AxeResult {
  violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown; failureSummary?: string }> }>;
}
interface Axe {
  run(context: unknown, options: unknown): Promise<AxeResult>;
}

let loading: Promise<Axe> | undefined;

/** axe-core from node_modules, injected into the test page as a plain script. */
export function loadAxe(): Promise<Axe> {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/node_modules/axe-core/axe.min.js';
    script.onload = () => resolve((window as unknown as { axe: Axe }).axe);
    script.onerror = () => reject(new Error('axe-core did not load: npm install (it is a devDependency)'));
    document.head.append(script);
  });
  return loading;
}

/** The serious and critical axe violations in `el`, as readable lines (empty when there are none). */
export async function seriousViolations(el: Element): Promise<string[]> {
  const axe = await loadAxe();
  const result = await axe.run(el, { resultTypes: ['violations'] });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}) at ${JSON.stringify(n.target)}: ${n.failureSummary ?? ''}`));
}

/** The light theme docs/element.md documents. */
export const LIGHT_THEME: Record<string, string> = {
  '--vc-background': '#ffffff',
  '--vc-surface': '#eef2f6',
  '--vc-foreground': '#17202b',
  '--vc-muted': '#4f5d6b',
  '--vc-accent': '#1f6fd1',
  '--vc-on-accent': '#ffffff',
  '--vc-danger': '#c62f2f',
  '--vc-warning': '#b7791f',
};

export function applyTheme(el: HTMLElement, theme: Record<string, string> | undefined): void {
  for (const name of Object.keys(LIGHT_THEME)) el.style.removeProperty(name);
  for (const [name, value] of Object.entries(theme ?? {})) el.style.setProperty(name, value);
}
