import { css } from 'lit';

/** The element's styles. Every colour and size a clinic may want to change is a custom property on :host. */
export const styles = css`
  :host {
    --vc-background: #10151c;
    --vc-surface: #1d2530;
    --vc-foreground: #f4f6f8;
    --vc-muted: #aab4c0;
    --vc-accent: #1f6fd1;
    --vc-on-accent: #fff;
    --vc-danger: #c62f2f;
    --vc-warning: #f0b429;
    --vc-radius: 12px;
    --vc-font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    --vc-control-size: 48px;
    --vc-local-video-width: 28%;

    /* Fills the width it is given and never more; a height of its own unless the page sets one. */
    display: block;
    position: relative;
    max-width: 100%;
    height: min(720px, 85vh);
    min-height: 320px;
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
    display: grid;
    grid: minmax(0, 1fr) auto / 100%;
    container-type: size;
  }
  .stage,
  .side {
    grid-area: 1 / 1;
    position: relative;
    min-height: 0;
  }
  .stage {
    overflow: hidden; /* your picture's shadow stays off the control bar and under the panels */
  }
  video {
    display: block;
    background: #000;
    object-fit: cover;
  }
  video.remote {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: contain;
  }
  video.local {
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
  video.local.alone {
    inset: 0;
    width: 100%;
    height: 100%;
    max-width: none;
    border-radius: 0;
    box-shadow: none;
    opacity: 0.6;
  }
  /* A phone held upright: the other person fills the screen, your own picture stays small. */
  @container (orientation: portrait) {
    video.remote {
      object-fit: cover;
    }
    video.local:not(.alone) {
      width: 30%;
      min-width: 80px;
      aspect-ratio: 3 / 4;
    }
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
  .panel > p,
  .panel > .row {
    max-width: 36em;
    margin: 0;
    overflow-wrap: anywhere;
  }
  /* Text over a video gets a backdrop of the element's own background, so it reads on any picture. */
  .panel > p {
    padding: 4px 12px;
    border-radius: calc(var(--vc-radius) / 2);
    background: color-mix(in srgb, var(--vc-background) 80%, transparent);
  }
  .message {
    font-size: 1.1em;
  }
  .remedy {
    color: var(--vc-muted);
  }
  .badge,
  .peer-name,
  .bars {
    position: absolute;
    padding: 4px 10px;
    border-radius: 999px;
    background: color-mix(in srgb, var(--vc-background) 75%, transparent);
    font-size: 0.85em;
  }
  .badge {
    left: 12px;
    top: 12px;
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
    flex-wrap: wrap;
    gap: 8px 12px;
    align-items: center;
    padding: 8px 12px;
    border-radius: calc(var(--vc-radius) / 2);
    background: var(--vc-surface);
    border-left: 4px solid var(--vc-warning);
  }
  .notice p {
    margin: 0;
    flex: 1 1 12em;
    overflow-wrap: anywhere;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: 12px;
    padding: 12px;
    background: var(--vc-surface);
  }
  button,
  a[part~='button'] {
    font: inherit;
    color: inherit;
    cursor: pointer;
    border: none;
    border-radius: 999px;
    /* Solid, so that a button over a video reads as well as one on the control bar. */
    background: color-mix(in srgb, var(--vc-foreground) 16%, var(--vc-surface));
    padding: 0 20px;
    min-height: var(--vc-control-size);
    min-width: var(--vc-control-size);
  }
  button:hover {
    background: color-mix(in srgb, var(--vc-foreground) 26%, var(--vc-surface));
  }
  :focus-visible {
    outline: 3px solid var(--vc-foreground);
    outline-offset: 2px;
  }
  .primary,
  .danger,
  a[part~='button'] {
    color: var(--vc-on-accent);
    background: var(--vc-accent);
  }
  button.danger {
    background: var(--vc-danger);
  }
  .primary:hover,
  .danger:hover {
    filter: brightness(1.15);
  }
  button[aria-pressed='true'] {
    background: var(--vc-foreground);
    color: var(--vc-background);
  }
  .small {
    min-height: 44px;
    padding: 0 14px;
  }
  .icon {
    position: relative;
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
    left: 12px;
    bottom: 12px;
    max-width: 50%;
    font-size: 1em;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    unicode-bidi: isolate;
  }
  .side {
    justify-self: end;
    width: min(360px, 100%);
    display: flex;
    flex-direction: column;
    gap: 8px;
    padding: 12px;
    background: var(--vc-surface);
    z-index: 3;
    overflow-y: auto;
  }
  @container (max-width: 480px) {
    .side {
      width: 100%;
    }
  }
  .side header {
    display: flex;
    justify-content: space-between;
    align-items: center;
  }
  h2 {
    margin: 0;
    font-size: 1em;
  }
  .messages {
    flex: 1;
    min-height: 3em;
    margin: 0;
    padding: 0;
    list-style: none;
    overflow-y: auto;
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  .messages li,
  .files li {
    padding: 6px 10px;
    border-radius: calc(var(--vc-radius) / 2);
    background: color-mix(in srgb, var(--vc-foreground) 8%, transparent);
  }
  .messages li {
    max-width: 90%;
  }
  .messages li[data-from='local'] {
    align-self: flex-end;
    background: color-mix(in srgb, var(--vc-accent) 20%, var(--vc-surface));
  }
  .from {
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
  textarea {
    flex: 1;
    min-width: 0;
    font: inherit;
    color: inherit;
    background: var(--vc-background);
    border: 1px solid var(--vc-muted);
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
  .side p {
    margin: 0;
  }
  dl {
    margin: 8px 0 0;
  }
  dd {
    margin: 0 0 8px;
    overflow-wrap: break-word;
  }
  summary {
    cursor: pointer;
    padding: 11px 0;
  }
  .unread {
    position: absolute;
    top: -4px;
    right: -4px;
    min-width: 20px;
    padding: 0 6px;
    border-radius: 999px;
    color: var(--vc-on-accent);
    background: var(--vc-danger);
    font-size: 0.75em;
    line-height: 20px;
  }
  .bars {
    display: inline-flex;
    align-items: flex-end;
    gap: 2px;
    height: 26px;
    padding: 4px 8px;
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
    width: 4px;
    background: color-mix(in srgb, var(--vc-foreground) 30%, transparent);
    border-radius: 1px;
  }
  .bars i:nth-child(1) { height: 25%; }
  .bars i:nth-child(2) { height: 50%; }
  .bars i:nth-child(3) { height: 75%; }
  .bars i:nth-child(4) { height: 100%; }
  .bars b::first-letter {
    text-transform: uppercase;
  }
  .bars b {
    margin-left: 6px;
    font-weight: normal;
    align-self: center;
  }
  [data-level='good'] i.on { background: #3ccf6e; }
  [data-level='fair'] i.on { background: var(--vc-warning); }
  [data-level='poor'] i.on { background: var(--vc-danger); }
  .files {
    margin: 0;
    padding: 0;
    list-style: none;
    display: flex;
    flex-direction: column;
    gap: 6px;
    max-height: 40%;
    overflow-y: auto;
    flex-shrink: 0;
  }
  .files li {
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
  .file-size {
    color: var(--vc-muted);
  }
  .file-status {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px;
    margin-top: 4px;
  }
  .file-status progress {
    width: 100%;
  }
  a[part~='button'] {
    display: inline-flex;
    align-items: center;
    text-decoration: none;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: 12px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      transition: none !important;
      animation: none !important;
      scroll-behavior: auto !important;
    }
  }
`;
