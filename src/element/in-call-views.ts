/**
 * The views only a call in progress shows (its signal bars and its security panel): they come with
 * the call engine (engine.ts), not with the page.
 */
import { html, nothing } from 'lit';
import type { QualityReport } from '../core/quality.js';
import type { SecurityInfo } from '../core/security.js';
import type { Strings } from './strings.js';

/**
 * Signal bars for one direction: 4 lit for good, 3 fair, 2 poor, 0 lost; the incoming one also in
 * words. The parts, rendered only in a call: part="quality incoming" and part="quality outgoing".
 */
export function barsView(strings: Strings, direction: 'incoming' | 'outgoing', quality: QualityReport | undefined, inCall: boolean) {
  const report = quality?.[direction];
  const level = report?.level ?? 'good';
  const lit = { good: 4, fair: 3, poor: 2, lost: 0 }[level];
  const label = strings.qualityLabel(direction, strings.levels[level]);
  return html`<span part="quality ${direction}" class="bars ${direction}" data-level=${level} role="img" aria-label=${label} title=${label} ?hidden=${!inCall || !report}>
    ${[1, 2, 3, 4].map((i) => html`<i class=${i <= lit ? 'on' : ''}></i>`)}
    ${direction === 'incoming' ? html`<b>${strings.levels[level]}</b>` : nothing}
  </span>`;
}

/** The security panel: the verification code and what protects the call. */
export function infoView(strings: Strings, open: boolean, code: string | undefined, security: SecurityInfo | undefined, close: () => void) {
  return html`<div part="info" class="side" role="dialog" aria-labelledby="info-title" ?hidden=${!open}>
    <header>
      <h2 id="info-title">${strings.verifyTitle}</h2>
      <button part="button" class="small" @click=${close}>${strings.close}</button>
    </header>
    <p class="code" data-code=${code ?? ''}>${code ?? strings.verifyPending}</p>
    <p class="remedy">${strings.verifyExplain}</p>
    <h2>${strings.securityTitle}</h2>
    <p>${strings.securityPlain}</p>
    <p class="path">${security?.path === 'relayed' ? strings.pathRelayed : security?.path === 'direct' ? strings.pathDirect : ''}</p>
    <details>
      <summary>${strings.technicalDetails}</summary>
      <dl>
        <dt>${strings.encryption}</dt>
        <dd>${security ? `${security.dtlsState}${security.dtlsCipher ? `, ${security.dtlsCipher}` : ''}` : '–'}</dd>
        <dt>${strings.mediaCipher}</dt>
        <dd>${security?.srtpCipher ?? '–'}</dd>
      </dl>
    </details>
  </div>`;
}
