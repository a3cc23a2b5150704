// The command line answers `--help` on each command, and says what is wrong with an argument in one
// line with a hint, without burying it under the usage text.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';

const CLI = new URL('../../src/server/cli.ts', import.meta.url).pathname;

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, VC_TOKEN_SECRET: '', ...env } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('command line help and errors', () => {
  it('--help prints the server usage and exits 0', async () => {
    const { code, stdout, stderr } = await run(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: video-consult-server \[options\]/);
    assert.match(stdout, /--token-secret/);
    assert.equal(stderr, '');
  });

  for (const help of ['--help', '-h']) {
    it(`token ${help} prints the token command's usage and exits 0, even without a secret`, async () => {
      const { code, stdout, stderr } = await run(['token', help]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^Usage: video-consult-server token --room <room> --role doctor\|patient/);
      assert.match(stdout, /--ttl <duration>/);
      assert.equal(stderr, '');
    });
  }

  const cases: { args: string[]; env?: NodeJS.ProcessEnv; line: string }[] = [
    { args: ['--prot', '80'], line: 'video-consult-server: unknown argument --prot (did you mean --port? see video-consult-server --help)' },
    { args: ['tokn'], line: 'video-consult-server: unknown argument tokn (did you mean token? see video-consult-server --help)' },
    { args: ['--port', 'eighty'], line: 'video-consult-server: --port needs a number, got "eighty" (see video-consult-server --help)' },
    { args: ['--xyzzy'], line: 'video-consult-server: unknown argument --xyzzy (see video-consult-server --help)' },
    {
      args: ['token', '--rom', 'a1'],
      env: { VC_TOKEN_SECRET: 's' },
      line: 'video-consult-server token: unknown argument --rom (did you mean --room? see video-consult-server token --help)',
    },
    {
      args: ['token', '--room', 'a1', '--role', 'nurse'],
      env: { VC_TOKEN_SECRET: 's' },
      line: 'video-consult-server token: --role must be doctor or patient (see video-consult-server token --help)',
    },
    {
      args: ['token', '--room', 'a1', '--role', 'patient'],
      line: 'video-consult-server token: no secret to sign the token with (set VC_TOKEN_SECRET or pass --token-secret)',
    },
  ];
  for (const { args, env, line } of cases) {
    it(`${args.join(' ')}: one line with a hint on stderr, exit code 2`, async () => {
      const { code, stdout, stderr } = await run(args, env);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.equal(stderr, `${line}\n`);
    });
  }
});
