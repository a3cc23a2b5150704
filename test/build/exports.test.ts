// The npm package's public names: a page written against `video-consult` and `video-consult/server`
// can import, by name, every type and constant the API refers to. Type-checks a small program
// against the built declarations in dist/ (through package.json `exports`), so `npm run build` first
// (`npm test` does).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import ts from 'typescript';

const root = new URL('../../', import.meta.url).pathname;
const probePath = `${root}test/build/exports-probe.ts`;

/** A program a clinic's developer might write: each import is used as a value or as a type. */
const PROBE = `
import {
  FileTransferError, TransferState, FileErrorCode, MAX_NAME_LENGTH, ROLES, ROOM_PATTERN, MAX_FRAME_BYTES, MAX_CHAT_CHARS,
  PROTOCOL_VERSION, type AcceptOptions, type FileTransferEvents, type FileTransferOptions, type FileTransferFactory,
  type TransferDirection, type TransferErrorDetail, type GetUserMedia, type Environment, type FirewallFacts,
  type Figure, type BrowserName, type ClientMessage, type ServerMessage, type Description, type Candidate,
  type FileTransfer, type ReceivedFile,
} from 'video-consult';
import { SignalingErrorCode, createJoinToken } from 'video-consult/server';

export async function decide(transfer: FileTransfer<ReceivedFile>): Promise<string> {
  try {
    await transfer.done;
    return transfer.state === TransferState.Done ? 'done' : 'other';
  } catch (error) {
    return error instanceof FileTransferError && error.code === FileErrorCode.CancelledByPeer ? 'cancelled' : 'failed';
  }
}
export const limits: number[] = [MAX_NAME_LENGTH, MAX_FRAME_BYTES, MAX_CHAT_CHARS, PROTOCOL_VERSION];
export const room = (id: string): boolean => ROOM_PATTERN.test(id) && ROLES.length === 2;
export const codes: string[] = [SignalingErrorCode.InvalidMessage, typeof createJoinToken];
export type Used = [AcceptOptions, FileTransferEvents, FileTransferOptions, FileTransferFactory, TransferDirection,
  TransferErrorDetail, GetUserMedia, Environment, FirewallFacts, Figure, BrowserName, ClientMessage, ServerMessage,
  Description, Candidate];
`;

describe('the package exports', () => {
  it('every type and constant the API refers to, by name, from video-consult and video-consult/server', () => {
    for (const built of ['dist/index.d.ts', 'dist/server/index.d.ts']) {
      assert.ok(existsSync(`${root}${built}`), `${built} is missing: run \`npm run build\` first.`);
    }
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, ...rest) =>
      name === probePath ? ts.createSourceFile(name, PROBE, version) : getSourceFile(name, version, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === probePath || fileExists(name);
    const program = ts.createProgram([probePath], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === probePath || !d.file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(problems, []);
  });
});
