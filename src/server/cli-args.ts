/**
 * The command line's options: every server option as a flag and an environment variable (the
 * flag wins), and the `--help` text built from the same table.
 */
import { readFileSync } from 'node:fs';
import type { SignalingServerOptions } from './options.js';
import { parseDuration } from './tokens.js';

/** Values gathered from several flags before they become one option. */
interface Pending {
  tlsCert?: string;
  tlsKey?: string;
  turnSecret?: string;
  turnUrls?: string[];
  turnTtl?: number;
}
type Target = SignalingServerOptions & { pending: Pending };

type Kind = 'string' | 'number' | 'boolean' | 'list' | 'duration';

interface Flag {
  flag: string;
  env: string;
  kind: Kind;
  default: string;
  help: string;
  apply(o: Target, v: string | number | boolean | string[]): void;
}

/** The server's options as flags. Keep in step with options.ts and docs/server.md. */
// A table: one flag a line reads and diffs better than seven lines a flag.
// prettier-ignore
export const FLAGS: Flag[] = [
  { flag: 'port', env: 'VC_PORT', kind: 'number', default: '8080', help: 'TCP port (0 picks a free one)', apply: (o, v) => (o.port = v as number) },
  { flag: 'host', env: 'VC_HOST', kind: 'string', default: '127.0.0.1', help: 'address to listen on (0.0.0.0 or :: for all)', apply: (o, v) => (o.host = v as string) },
  { flag: 'demo', env: 'VC_DEMO', kind: 'boolean', default: 'false', help: 'serve the demo at / and dist/ at /dist/, allow rooms without tokens', apply: (o, v) => (o.demo = v as boolean) },
  { flag: 'demo-root', env: 'VC_DEMO_ROOT', kind: 'string', default: '<package>/demo', help: 'directory served at / in demo mode', apply: (o, v) => (o.demoRoot = v as string) },
  { flag: 'dist-root', env: 'VC_DIST_ROOT', kind: 'string', default: '<package>/dist', help: 'directory served at /dist/ in demo mode', apply: (o, v) => (o.distRoot = v as string) },
  { flag: 'stun-urls', env: 'VC_STUN_URLS', kind: 'list', default: '(none)', help: 'comma-separated STUN URLs handed to clients', apply: (o, v) => (o.iceServers = v as string[]) },
  { flag: 'heartbeat-ms', env: 'VC_HEARTBEAT_MS', kind: 'number', default: '15000', help: 'ping interval; a socket that misses one pong is dropped', apply: (o, v) => (o.heartbeatMs = v as number) },
  { flag: 'grace-ms', env: 'VC_GRACE_MS', kind: 'number', default: '60000', help: 'how long a dropped participant keeps their place (and admission) for a reload', apply: (o, v) => (o.graceMs = v as number) },
  { flag: 'token-secret', env: 'VC_TOKEN_SECRET', kind: 'list', default: '(none; required unless --demo)', help: 'secret(s) that sign join tokens, comma-separated to rotate (prefer the env var: flags show in ps)', apply: (o, v) => (o.tokenSecret = v as string[]) },
  { flag: 'resume-secret', env: 'VC_RESUME_SECRET', kind: 'string', default: '(the first token secret; else random per process)', help: 'secret that signs place tickets, so calls survive a restart; the same on every process', apply: (o, v) => (o.resumeSecret = v as string) },
  { flag: 'turn-secret', env: 'VC_TURN_SECRET', kind: 'string', default: '(none)', help: "coturn's static-auth-secret, for time-limited TURN credentials", apply: (o, v) => (o.pending.turnSecret = v as string) },
  { flag: 'turn-urls', env: 'VC_TURN_URLS', kind: 'list', default: '(none)', help: 'comma-separated TURN URLs (turn:host:3478?transport=udp, turns:host:443?transport=tcp)', apply: (o, v) => (o.pending.turnUrls = v as string[]) },
  { flag: 'turn-ttl', env: 'VC_TURN_TTL', kind: 'duration', default: '1h', help: 'lifetime of TURN credentials (90s, 30m, 2h)', apply: (o, v) => (o.pending.turnTtl = v as number) },
  { flag: 'tls-cert', env: 'VC_TLS_CERT', kind: 'string', default: '(none)', help: 'PEM certificate file: serve https and wss', apply: (o, v) => (o.pending.tlsCert = v as string) },
  { flag: 'tls-key', env: 'VC_TLS_KEY', kind: 'string', default: '(none)', help: 'PEM private key file for --tls-cert', apply: (o, v) => (o.pending.tlsKey = v as string) },
  { flag: 'allowed-origins', env: 'VC_ALLOWED_ORIGINS', kind: 'list', default: '(any)', help: 'comma-separated page origins allowed to connect (https://clinic.example)', apply: (o, v) => (o.allowedOrigins = v as string[]) },
  { flag: 'trust-proxy', env: 'VC_TRUST_PROXY', kind: 'boolean', default: 'false', help: 'believe X-Forwarded-For from a proxy on this machine (loopback)', apply: (o, v) => (o.trustProxy = v as boolean) },
  { flag: 'trusted-proxies', env: 'VC_TRUSTED_PROXIES', kind: 'list', default: '(none)', help: 'comma-separated proxy addresses or CIDR ranges whose X-Forwarded-For is believed', apply: (o, v) => (o.trustProxy = v as string[]) },
  { flag: 'max-connections-per-ip', env: 'VC_MAX_CONNECTIONS_PER_IP', kind: 'number', default: '20', help: 'open connections per client address (IPv6: per /64)', apply: (o, v) => (o.maxConnectionsPerIp = v as number) },
  { flag: 'max-pending-per-ip', env: 'VC_MAX_PENDING_PER_IP', kind: 'number', default: '10', help: 'TCP connections per address that are not WebSockets (HTTP, handshakes)', apply: (o, v) => (o.maxPendingPerIp = v as number) },
  { flag: 'headers-timeout-ms', env: 'VC_HEADERS_TIMEOUT_MS', kind: 'number', default: '10000', help: 'time allowed for an HTTP request to send its headers', apply: (o, v) => (o.headersTimeoutMs = v as number) },
  { flag: 'join-timeout-ms', env: 'VC_JOIN_TIMEOUT_MS', kind: 'number', default: '10000', help: 'a connection that has not joined a room by then is closed', apply: (o, v) => (o.joinTimeoutMs = v as number) },
  { flag: 'max-queued-bytes', env: 'VC_MAX_QUEUED_BYTES', kind: 'number', default: '524288', help: 'bytes queued for a connection that does not read before it is dropped', apply: (o, v) => (o.maxQueuedBytes = v as number) },
  { flag: 'message-rate', env: 'VC_MESSAGE_RATE', kind: 'number', default: '50', help: 'frames per second per client address, on average', apply: (o, v) => (o.messageRate = v as number) },
  { flag: 'message-burst', env: 'VC_MESSAGE_BURST', kind: 'number', default: '200', help: 'frames per client address in one burst', apply: (o, v) => (o.messageBurst = v as number) },
  { flag: 'max-connections', env: 'VC_MAX_CONNECTIONS', kind: 'number', default: '10000', help: 'open connections in this process', apply: (o, v) => (o.maxConnections = v as number) },
  { flag: 'max-rooms', env: 'VC_MAX_ROOMS', kind: 'number', default: '5000', help: 'rooms with a participant on this process', apply: (o, v) => (o.maxRooms = v as number) },
  { flag: 'redis-url', env: 'VC_REDIS_URL', kind: 'string', default: '(none: rooms in memory)', help: 'share rooms between processes through Redis (redis://host:6379)', apply: (o, v) => (o.redisUrl = v as string) },
  { flag: 'redis-prefix', env: 'VC_REDIS_PREFIX', kind: 'string', default: 'vc:', help: 'prefix of Redis keys and channels', apply: (o, v) => (o.redisPrefix = v as string) },
  { flag: 'redis-heartbeat-ms', env: 'VC_REDIS_HEARTBEAT_MS', kind: 'number', default: '2000', help: 'heartbeat period in Redis; a process silent for three is taken for dead', apply: (o, v) => (o.redisHeartbeatMs = v as number) },
  { flag: 'quiet', env: 'VC_QUIET', kind: 'boolean', default: 'false', help: 'no logs (they are JSON lines on stderr otherwise)', apply: (o, v) => v && (o.log = false) },
];

/** A wrong argument: the one-line message, and a hint that says what was probably meant. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint = 'see video-consult-server --help',
  ) {
    super(message);
  }
}

/** The name closest to a mistyped one (at most two edits away), for "did you mean". */
export function closest(typed: string, names: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length]!;
  };
  const ranked = names.map((name) => ({ name, d: distance(typed, name) })).sort((x, y) => x.d - y.d);
  return ranked[0] && ranked[0].d <= 2 ? ranked[0].name : undefined;
}

/** The hint for an argument no command takes. */
function unknownArgument(arg: string, known: readonly string[], help: string): UsageError {
  const guess = /^--?[a-z]/.test(arg) ? closest(arg.replace(/^--?(no-)?/, '').replace(/=.*/, ''), known) : closest(arg, ['token']);
  const meant = guess && (/^-/.test(arg) ? `--${guess}` : guess);
  return new UsageError(`unknown argument ${arg}`, `${meant ? `did you mean ${meant}? ` : ''}see ${help}`);
}

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
    case 'duration':
      try {
        return parseDuration(raw);
      } catch (err) {
        throw new UsageError(`--${f.flag}: ${(err as Error).message}`);
      }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return raw;
  }
}

/** Reads options from the environment, then from `argv` (flags win). */
export function parseServerArgs(argv: string[], env: NodeJS.ProcessEnv): { options: SignalingServerOptions; help: boolean } {
  const options: Target = { port: 8080, pending: {} };
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
    if (!m || !f)
      throw unknownArgument(
        arg,
        FLAGS.map((x) => x.flag),
        'video-consult-server --help',
      );
    if (f.kind === 'boolean') {
      f.apply(options, m[1] ? false : m[3] !== undefined ? convert(f, m[3]) : true);
      continue;
    }
    const value = m[3] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${f.flag} needs a value`);
    f.apply(options, convert(f, value));
  }
  const { pending, ...rest } = options;
  const result: SignalingServerOptions = rest;
  if (!!pending.tlsCert !== !!pending.tlsKey) throw new UsageError('--tls-cert and --tls-key go together');
  if (pending.tlsCert && pending.tlsKey && !help) {
    try {
      result.tls = { cert: readFileSync(pending.tlsCert), key: readFileSync(pending.tlsKey) };
    } catch (err) {
      throw new UsageError(`cannot read the TLS files: ${(err as Error).message}`);
    }
  }
  if (!!pending.turnSecret !== !!pending.turnUrls?.length) throw new UsageError('--turn-secret and --turn-urls go together');
  if (pending.turnSecret && pending.turnUrls) {
    result.turn = { secret: pending.turnSecret, urls: pending.turnUrls, ...(pending.turnTtl ? { ttlSeconds: pending.turnTtl } : {}) };
  }
  return { options: result, help };
}

export function usage(): string {
  const rows = FLAGS.map((f) => {
    const name = `--${f.flag}${f.kind === 'boolean' ? '' : ' <' + f.kind + '>'}`;
    return `  ${name.padEnd(28)} ${f.help}\n  ${''.padEnd(28)} env ${f.env}, default ${f.default}`;
  });
  return [
    'Usage: video-consult-server [options]',
    '       video-consult-server token --room <room> --role doctor|patient [--ttl 2h] [--token-secret <s>]',
    '',
    'The signaling server for <video-consult>. WebSocket endpoint: /signal; also /healthz and /metrics.',
    'The token command prints a join token signed with VC_TOKEN_SECRET (or --token-secret).',
    '',
    'Options (flags win over environment variables):',
    ...rows,
    '  --help                       this text',
    '',
  ].join('\n');
}

const TOKEN_FLAGS = ['room', 'role', 'ttl', 'token-secret'] as const;
const TOKEN_HELP = 'video-consult-server token --help';

export function tokenUsage(): string {
  return [
    'Usage: video-consult-server token --room <room> --role doctor|patient [--ttl 2h] [--token-secret <s>]',
    '',
    'Prints a join token for one person in one room, signed with VC_TOKEN_SECRET (or --token-secret).',
    '',
    '  --room <room>                the room id (1 to 64 letters, digits, - or _)',
    '  --role doctor|patient        who the token admits',
    '  --ttl <duration>             how long it is valid (90s, 30m, 2h); default 2h',
    '  --token-secret <secret>      the secret; prefer the env var VC_TOKEN_SECRET (flags show in ps)',
    '  --help                       this text',
    '',
  ].join('\n');
}

/** Arguments of `video-consult-server token`. */
export function parseTokenArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { secret: string; room: string; role: 'doctor' | 'patient'; ttlSeconds: number } {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(room|role|ttl|token-secret)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) throw unknownArgument(argv[i]!, TOKEN_FLAGS, TOKEN_HELP);
    const v = m[2] ?? argv[++i];
    if (v === undefined) throw new UsageError(`--${m[1]} needs a value`, `see ${TOKEN_HELP}`);
    values[m[1]!] = v;
  }
  const secret = (values['token-secret'] ?? env.VC_TOKEN_SECRET ?? '').split(',')[0]!.trim();
  if (!secret) throw new UsageError('no secret to sign the token with', 'set VC_TOKEN_SECRET or pass --token-secret');
  if (!values.room) throw new UsageError('--room is required', `see ${TOKEN_HELP}`);
  const role = values.role;
  if (role !== 'doctor' && role !== 'patient') throw new UsageError('--role must be doctor or patient', `see ${TOKEN_HELP}`);
  let ttlSeconds = 7200;
  if (values.ttl) {
    try {
      ttlSeconds = parseDuration(values.ttl);
    } catch (err) {
      throw new UsageError(`--ttl: ${(err as Error).message}`, `see ${TOKEN_HELP}`);
    }
  }
  return { secret, room: values.room, role, ttlSeconds };
}
