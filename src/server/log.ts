/**
 * Structured logs: one JSON object a line. Callers pass only fields that are safe to keep
 * (codes, counts, hashed room ids, masked addresses); this module adds the time and level and
 * gives the helpers that make identifying values safe.
 */
import { createHmac } from 'node:crypto';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  time: string;
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

/** Receives every log entry. */
export type LogSink = (entry: LogEntry) => void;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const stderrSink: LogSink = (entry) => {
  process.stderr.write(JSON.stringify(entry) + '\n');
};

/** `undefined` logs to stderr, `false` drops everything, a function receives each entry. */
export function createLogger(option: LogSink | false | undefined): Logger {
  const sink = option === false ? null : (option ?? stderrSink);
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (!sink) return;
    try {
      sink({ time: new Date().toISOString(), level, msg, ...fields });
    } catch {
      // A broken sink must not take the server down with it.
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/**
 * A room id may carry something a clinic considers identifying (an appointment number), so logs
 * carry a short keyed hash instead: enough to follow one room through the log, not to recover it.
 * An unkeyed hash of a guessable id (`termin-048213`) is reversed by trying them all; with a key
 * that stays on the server (derived from its secrets, so that every process tags alike) it is not.
 */
export function roomTagger(key: string): (room: string) => string {
  const k = createHmac('sha256', key).update('room-tag').digest();
  return (room) => createHmac('sha256', k).update(room).digest('base64url').slice(0, 10);
}

/** Keeps the network part of an address: /24 for IPv4, /48 for IPv6. */
export function maskIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.\d+$/i.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (ip.includes(':')) return ip.split(':').slice(0, 3).join(':') + '::/48';
  return 'unknown';
}
