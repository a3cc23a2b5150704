import { css } from 'lit';

/** The element's styles. Every colour and size a clinic may want to change is a custom property on :host. */
export const styles = css`
  :host {
    --vc-background: #10151c;
    --vc-surface: #1d2530;
    --vc-foreground: #f4f6f8;
    --vc-muted: #aab4c0;
    --vc-accent: #2f7de1;
    --vc-danger: #d93a3a;
    --vc-warning: #f0b429;
    --vc-radius: 12px;
    --vc-font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    --vc-control-size: 48px;
    --vc-local-video-width: 28%;

    display: block;
    position: relative;
    min-height: 320px;
    aspect-ratio: 16 / 10;
    box-sizing: border-box;
    color: var(--vc-foreground);
    background: var(--vc-background);
    border-radius: var(--vc-radius);
    overflow: hidden;
    font-family: var(--vc-font-family);
    font-size: 16px;
    line-height: 1.4;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  [hidden] {
    display: none !important;
  }
  .base {
    position: absolute;
    inset: 0;
    display: flex;
    flex-direction: column;
  }
  .stage {
    position: relative;
    flex: 1;
    min-height: 0;
  }
  video {
    display: block;
    background: #000;
    object-fit: cover;
  }
  .remote {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: contain;
  }
  .local {
    position: absolute;
    right: 12px;
    bottom: 12px;
    width: var(--vc-local-video-width);
    max-width: 320px;
    min-width: 96px;
    aspect-ratio: 4 / 3;
    border-radius: calc(var(--vc-radius) / 2);
    box-shadow: 0 2px 12px rgb(0 0 0 / 50%);
    transform: scaleX(-1); /* a mirror, as people expect to see themselves */
  }
  .local.alone {
    inset: 0;
    width: 100%;
    height: 100%;
    max-width: none;
    border-radius: 0;
    box-shadow: none;
    opacity: 0.6;
  }
  .panel {
    position: absolute;
    inset: 0;
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    gap: 12px;
    padding: 24px;
    text-align: center;
  }
  .message {
    max-width: 36em;
    margin: 0;
    font-size: 1.1em;
    overflow-wrap: anywhere;
  }
  .remedy {
    max-width: 36em;
    margin: 0;
    color: var(--vc-muted);
    overflow-wrap: anywhere;
  }
  .badge {
    position: absolute;
    left: 12px;
    top: 12px;
    padding: 4px 10px;
    border-radius: 999px;
    background: rgb(0 0 0 / 55%);
    font-size: 0.85em;
  }
  .notices {
    position: absolute;
    left: 12px;
    right: 12px;
    top: 12px;
    display: flex;
    flex-direction: column;
    gap: 8px;
    z-index: 2;
  }
  .notice {
    display: flex;
    gap: 12px;
    align-items: flex-start;
    padding: 8px 12px;
    border-radius: calc(var(--vc-radius) / 2);
    background: var(--vc-surface);
    border-left: 4px solid var(--vc-warning);
  }
  .notice p {
    margin: 0;
    flex: 1;
    overflow-wrap: anywhere;
  }
  .controls {
    display: flex;
    justify-content: center;
    gap: 12px;
    padding: 12px;
    background: var(--vc-surface);
  }
  button {
    font: inherit;
    color: inherit;
    cursor: pointer;
    border: none;
    border-radius: 999px;
    background: rgb(255 255 255 / 12%);
    padding: 0 20px;
    min-height: var(--vc-control-size);
    min-width: var(--vc-control-size);
  }
  button:hover {
    background: rgb(255 255 255 / 20%);
  }
  button:focus-visible {
    outline: 3px solid var(--vc-accent);
    outline-offset: 2px;
  }
  button.primary {
    background: var(--vc-accent);
  }
  button.danger {
    background: var(--vc-danger);
  }
  button[aria-pressed='true'] {
    background: var(--vc-foreground);
    color: var(--vc-background);
  }
  button.small {
    min-height: 32px;
    padding: 0 12px;
  }
  .icon {
    padding: 0;
    display: inline-grid;
    place-items: center;
  }
  .icon svg {
    width: 24px;
    height: 24px;
    fill: currentColor;
  }
  .peer-name {
    position: absolute;
    left: 12px;
    bottom: 12px;
    max-width: 50%;
    padding: 4px 10px;
    border-radius: 999px;
    background: rgb(0 0 0 / 55%);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    unicode-bidi: isolate;
  }
  .side {
    position: absolute;
    top: 0;
    right: 0;
    bottom: 0;
    width: min(360px, 100%);
    display: flex;
    flex-direction: column;
    gap: 8px;
    padding: 12px;
    background: var(--vc-surface);
    z-index: 3;
    overflow-y: auto;
  }
  .side header {
    display: flex;
    justify-content: space-between;
    align-items: center;
  }
  .side h2 {
    margin: 0;
    font-size: 1em;
  }
  .messages {
    flex: 1;
    margin: 0;
    padding: 0;
    list-style: none;
    overflow-y: auto;
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  .messages li {
    max-width: 90%;
    padding: 6px 10px;
    border-radius: calc(var(--vc-radius) / 2);
    background: rgb(255 255 255 / 8%);
  }
  .messages li.local {
    align-self: flex-end;
    background: color-mix(in srgb, var(--vc-accent) 35%, transparent);
  }
  .messages .from {
    display: block;
    font-size: 0.8em;
    color: var(--vc-muted);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    unicode-bidi: isolate;
  }
  .messages p {
    margin: 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    max-height: 16em;
    overflow-y: auto;
    unicode-bidi: isolate;
  }
  .side form {
    display: flex;
    gap: 8px;
  }
  .side textarea {
    flex: 1;
    font: inherit;
    color: inherit;
    background: rgb(0 0 0 / 30%);
    border: 1px solid rgb(255 255 255 / 20%);
    border-radius: calc(var(--vc-radius) / 2);
    padding: 6px;
    resize: none;
  }
  .code {
    margin: 0;
    font-size: 1.6em;
    font-variant-numeric: tabular-nums;
    letter-spacing: 0.05em;
  }
  dl {
    margin: 0;
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 4px 12px;
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .unread {
    position: absolute;
    top: -4px;
    right: -4px;
    min-width: 20px;
    padding: 0 6px;
    border-radius: 999px;
    background: var(--vc-danger);
    font-size: 0.75em;
    line-height: 20px;
  }
  .icon {
    position: relative;
  }
  .bars {
    position: absolute;
    display: inline-flex;
    align-items: flex-end;
    gap: 2px;
    height: 16px;
    padding: 4px 6px;
    border-radius: 6px;
    background: rgb(0 0 0 / 55%);
    z-index: 1;
  }
  .bars.incoming {
    right: 12px;
    top: 12px;
  }
  .bars.outgoing {
    right: 16px;
    bottom: 16px;
  }
  .bars i {
    display: block;
    width: 4px;
    background: rgb(255 255 255 / 30%);
    border-radius: 1px;
  }
  .bars i:nth-child(1) { height: 25%; }
  .bars i:nth-child(2) { height: 50%; }
  .bars i:nth-child(3) { height: 75%; }
  .bars i:nth-child(4) { height: 100%; }
  .bars[data-level='good'] i.on { background: #3ccf6e; }
  .bars[data-level='fair'] i.on { background: var(--vc-warning); }
  .bars[data-level='poor'] i.on { background: var(--vc-danger); }
  .files {
    margin: 0;
    padding: 0;
    list-style: none;
    display: flex;
    flex-direction: column;
    gap: 6px;
    max-height: 40%;
    overflow-y: auto;
  }
  .files li {
    padding: 6px 8px;
    border-radius: calc(var(--vc-radius) / 2);
    background: rgb(255 255 255 / 8%);
    font-size: 0.9em;
  }
  .file-name {
    display: inline-block;
    max-width: 70%;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    vertical-align: bottom;
    unicode-bidi: isolate;
  }
  .file-size,
  .file-status {
    color: var(--vc-muted);
  }
  .file-status progress {
    width: 100%;
  }
  a[part~='button'] {
    display: inline-flex;
    align-items: center;
    color: inherit;
    text-decoration: none;
    border-radius: 999px;
    background: var(--vc-accent);
  }
  .row {
    display: flex;
    gap: 12px;
  }
`;
