import { CheckCode, type PrecallReport, type StepId } from './types.js';

/** What was missing when a step could not run: for the clinic's developers, never shown to patients. */
const NOT_CONFIGURED: Partial<Record<StepId, string>> = {
  signaling: 'no signaling server URL (server)',
  network: 'no ICE servers: none set on the page (iceServers), none offered by the signaling server',
  quality: 'no TURN server among the ICE servers',
  speakers: 'no confirmSound callback',
};

const figure = (value: unknown) => (value === null || value === undefined ? '-' : String(value));

/**
 * The report as plain text for a support request: every step with its figures, the paths tried,
 * what the firewall must allow, and the browser. It holds no names, no media and no credentials
 * (ICE URLs only). Written in English for the clinic's support, whatever the page's language.
 */
export function formatReport(report: Omit<PrecallReport, 'text'>): string {
  const { environment: env, firewall, verdict } = report;
  const lines = [
    `video-consult pre-call check, ${report.startedAt} (${(report.durationMs / 1000).toFixed(1)} s)`,
    `Verdict: ${verdict.status.toUpperCase()} ${verdict.code}`,
    `Browser: ${env.browser} ${figure(env.browserVersion)} on ${env.os}; secure context: ${env.secureContext ? 'yes' : 'no'}; in-app browser: ${env.inAppBrowser ?? 'no'}`,
    '',
  ];
  for (const step of report.steps) {
    const figures = Object.entries(step.figures)
      .map(([name, value]) => `${name}=${figure(value)}`)
      .join(' ');
    lines.push(`[${step.status.toUpperCase().padEnd(4)}] ${step.id.padEnd(10)} ${step.code.padEnd(22)} ${figures}`.trimEnd());
    const missing = step.code === CheckCode.NotConfigured ? NOT_CONFIGURED[step.id] : undefined;
    if (missing) lines.push(`         not configured on this page: ${missing}`);
    for (const path of step.paths ?? []) {
      const error = path.errorCode !== undefined ? ` (ICE error ${path.errorCode})` : '';
      lines.push(`         ${path.kind.padEnd(9)} ${path.status.toUpperCase().padEnd(4)} ${String(path.ms).padStart(5)} ms  ${path.url}${error}`);
    }
  }
  lines.push('');
  lines.push(
    `Firewall: hosts ${firewall.hosts.join(', ') || '-'}; ports ${firewall.ports.join(', ') || '-'}` +
      (firewall.relayPorts ? `; relay ports ${firewall.relayPorts}` : ''),
  );
  lines.push(`Advice: ${verdict.advice.join(', ') || '-'}`);
  lines.push(`User agent: ${env.userAgent}`);
  return lines.join('\n');
}
