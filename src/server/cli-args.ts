/**
 * The command line's options: every server option as a flag and an environment variable (the
 * flag wins), and the `--help` text built from the same table.
 */
import type { SignalingServerOptions } from './options.js';

type Kind = 'string' | 'number' | 'boolean' | 'list';

interface Flag {
  flag: string;
  env: string;
  kind: Kind;
  default: string;
  help: string;
  apply(o: SignalingServerOptions, v: string | number | boolean | string[]): void;
}

/** The server's options as flags. Keep in step with options.ts and docs/server.md. */
export const FLAGS: Flag[] = [
  { flag: 'port', env: 'VC_PORT', kind: 'number', default: '8080', help: 'TCP port (0 picks a free one)', apply: (o, v) => (o.port = v as number) },
  { flag: 'host', env: 'VC_HOST', kind: 'string', default: '127.0.0.1', help: 'address to listen on (0.0.0.0 or :: for all)', apply: (o, v) => (o.host = v as string) },
  { flag: 'demo', env: 'VC_DEMO', kind: 'boolean', default: 'false', help: 'serve the demo at / and dist/ at /dist/, allow rooms without tokens', apply: (o, v) => (o.demo = v as boolean) },
  { flag: 'demo-root', env: 'VC_DEMO_ROOT', kind: 'string', default: '<package>/demo', help: 'directory served at / in demo mode', apply: (o, v) => (o.demoRoot = v as string) },
  { flag: 'dist-root', env: 'VC_DIST_ROOT', kind: 'string', default: '<package>/dist', help: 'directory served at /dist/ in demo mode', apply: (o, v) => (o.distRoot = v as string) },
  { flag: 'stun-urls', env: 'VC_STUN_URLS', kind: 'list', default: '(none)', help: 'comma-separated STUN URLs handed to clients', apply: (o, v) => (o.iceServers = v as string[]) },
  { flag: 'heartbeat-ms', env: 'VC_HEARTBEAT_MS', kind: 'number', default: '15000', help: 'ping interval; a socket that misses one pong is dropped', apply: (o, v) => (o.heartbeatMs = v as number) },
  { flag: 'grace-ms', env: 'VC_GRACE_MS', kind: 'number', default: '60000', help: 'how long a dropped participant keeps their place (and admission) for a reload', apply: (o, v) => (o.graceMs = v as number) },
  { flag: 'quiet', env: 'VC_QUIET', kind: 'boolean', default: 'false', help: 'no logs (they are JSON lines on stderr otherwise)', apply: (o, v) => v && (o.log = false) },
];

export class UsageError extends Error {}

function convert(f: Flag, raw: string): string | number | boolean | string[] {
  switch (f.kind) {
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${f.flag} needs a number, got "${raw}"`);
      return n;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off|)$/i.test(raw)) return false;
      throw new UsageError(`--${f.flag} needs true or false, got "${raw}"`);
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return raw;
  }
}

/** Reads options from the environment, then from `argv` (flags win). */
export function parseServerArgs(argv: string[], env: NodeJS.ProcessEnv): { options: SignalingServerOptions; help: boolean } {
  const options: SignalingServerOptions = { port: 8080 };
  for (const f of FLAGS) {
    const raw = env[f.env];
    if (raw !== undefined) f.apply(options, convert(f, raw));
  }
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const m = /^--(no-)?([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const f = m && FLAGS.find((x) => x.flag === m[2]);
    if (!m || !f) throw new UsageError(`unknown argument ${arg}`);
    if (f.kind === 'boolean') {
      f.apply(options, m[1] ? false : m[3] !== undefined ? convert(f, m[3]) : true);
      continue;
    }
    const value = m[3] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${f.flag} needs a value`);
    f.apply(options, convert(f, value));
  }
  return { options, help };
}

export function usage(): string {
  const rows = FLAGS.map((f) => {
    const name = `--${f.flag}${f.kind === 'boolean' ? '' : ' <' + f.kind + '>'}`;
    return `  ${name.padEnd(28)} ${f.help}\n  ${''.padEnd(28)} env ${f.env}, default ${f.default}`;
  });
  return [
    'Usage: video-consult-server [options]',
    '',
    'The signaling server for <video-consult>. WebSocket endpoint: /signal.',
    '',
    'Options (flags win over environment variables):',
    ...rows,
    '  --help                       this text',
    '',
  ].join('\n');
}

