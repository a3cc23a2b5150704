#!/usr/bin/env node
/**
 * `video-consult-server`: runs the signaling server until SIGINT or SIGTERM, then closes it
 * gracefully (clients are told `shutting-down`).
 */
import { parseServerArgs, parseTokenArgs, tokenUsage, UsageError, usage } from './cli-args.js';
import { createJoinToken } from './tokens.js';
import { createSignalingServer } from './server.js';

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    if (argv[0] === 'token') {
      if (argv.includes('--help') || argv.includes('-h')) {
        process.stdout.write(tokenUsage());
        return;
      }
      const t = parseTokenArgs(argv.slice(1), process.env);
      process.stdout.write(createJoinToken(t) + '\n');
      return;
    }
    parsed = parseServerArgs(argv, process.env);
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof RangeError)) throw err;
    // One line that says what is wrong and what to do; the whole usage would bury it.
    const hint = err instanceof UsageError ? err.hint : 'see video-consult-server --help';
    process.stderr.write(`video-consult-server${argv[0] === 'token' ? ' token' : ''}: ${err.message} (${hint})\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(usage());
    return;
  }
  const server = await createSignalingServer(parsed.options);
  process.stdout.write(`video-consult-server listening on ${server.url} (signaling ${server.signalUrl})\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'stopping', signal }) + '\n');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`video-consult-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
