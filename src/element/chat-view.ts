import { html } from 'lit';
import type { ChatEntry } from '../core/session.js';
import type { FileRow } from '../core/file-rows.js';
import { icons } from './icons.js';
import { errorText, type Strings } from './strings.js';

/** What the chat panel shows. */
export interface ChatModel {
  open: boolean;
  messages: readonly ChatEntry[];
  /** How the other person's lines are signed. */
  peer: string;
  files: FileRow[];
  /** Whether the file button shows. */
  canSend: boolean;
  accept: string;
}

/** What the person can do in the chat panel. */
export interface ChatActions {
  close(): void;
  submit(event: Event): void;
  key(event: KeyboardEvent): void;
  pick(): void;
  picked(event: Event): void;
  acceptFile(id: string): void;
  declineFile(id: string): void;
  cancelFile(id: string): void;
}

/** The chat panel: the lines, the file list, and the form that sends both. */
export function chatView(strings: Strings, m: ChatModel, a: ChatActions) {
  return html`<div part="chat" class="side" role="dialog" aria-labelledby="chat-title" ?hidden=${!m.open}>
    <header>
      <h2 id="chat-title">${strings.chat}</h2>
      <button part="button" class="small" @click=${a.close}>${strings.close}</button>
    </header>
    <ol class="messages" aria-live="polite">
      ${m.messages.map(
        (line) => html`<li data-from=${line.from}>
          <span class="from">${line.from === 'local' ? strings.you : m.peer}</span>
          <p>${line.text}</p>
        </li>`,
      )}
    </ol>
    <ul part="files" class="files" aria-label=${strings.files} ?hidden=${m.files.length === 0}>
      ${m.files.map((row) => fileView(strings, row, a))}
    </ul>
    <form @submit=${a.submit}>
      <input type="file" multiple hidden accept=${m.accept} @change=${a.picked} />
      <button part="button file-button" class="icon" type="button" title=${strings.sendFile} aria-label=${strings.sendFile} ?hidden=${!m.canSend} @click=${a.pick}>
        <svg viewBox="0 0 24 24" aria-hidden="true">${icons.clip}</svg>
      </button>
      <textarea class="chat-input" rows="2" aria-label=${strings.chatPlaceholder} placeholder=${strings.chatPlaceholder} @keydown=${a.key}></textarea>
      <button part="button" class="primary" type="submit">${strings.send}</button>
    </form>
  </div>`;
}

/** One row of the file list, with what can be done with it now. */
function fileView(strings: Strings, row: FileRow, a: ChatActions) {
  const left = row.bytesPerSecond > 0 ? (row.size - row.bytes) / row.bytesPerSecond : undefined;
  // Buttons of a row say which file they act on, since a list may hold several.
  const about = (action: string) => `${action}: ${row.name}`;
  const cancel = html`<button part="button" class="small" aria-label=${about(strings.cancel)} @click=${() => a.cancelFile(row.id)}>${strings.cancel}</button>`;
  let status: unknown;
  if (row.status === 'offered' && row.direction === 'receive') {
    status = html`<button part="button" class="small primary" aria-label=${about(strings.accept)} @click=${() => a.acceptFile(row.id)}>${strings.accept}</button>
      <button part="button" class="small" aria-label=${about(strings.decline)} @click=${() => a.declineFile(row.id)}>${strings.decline}</button>`;
  } else if (row.status === 'offered') {
    status = html`${strings.fileWaiting} ${cancel}`;
  } else if (row.status === 'transferring') {
    status = html`<progress max=${row.size} .value=${row.bytes} aria-label=${row.name}></progress>
      ${formatBytes(row.bytesPerSecond)}/s${left !== undefined ? ` · ${strings.timeLeft(left)}` : ''} ${cancel}`;
  } else if (row.status === 'done') {
    status = row.url
      ? html`<a part="button" class="small" href=${row.url} download=${row.name} aria-label=${about(strings.save)}>${strings.save}</a>`
      : strings.fileDone;
  } else {
    status = errorText(strings, row.code ?? 'file-failed').title;
  }
  return html`<li data-id=${row.id} data-status=${row.status}>
    <span class="file-name" title=${row.name}>${row.name}</span> <span class="file-size">${formatBytes(row.size)}</span>
    <div class="file-status">${status}</div>
  </li>`;
}

const UNITS = ['B', 'KB', 'MB', 'GB'];
/** Bytes in decimal units, e.g. `1.5 MB`, `320 KB`. */
function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}
