import { css } from 'lit';

/** The pre-call check's styles. Every colour and size a clinic may want to change is a custom property on :host. */
export const checkStyles = css`
  :host {
    --vc-background: #10151c;
    --vc-surface: #1d2530;
    --vc-foreground: #f4f6f8;
    --vc-muted: #aab4c0;
    /* White on the accent is 4.9:1 (WCAG AA asks 4.5:1 for text). */
    --vc-accent: #1f6fd1;
    --vc-on-accent: #ffffff;
    --vc-success: #2fa86a;
    --vc-warning: #f0b429;
    --vc-danger: #e05555;
    --vc-radius: 12px;
    --vc-font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    display: block;
    /* Native controls (select, textarea, scroll bars) in the theme's scheme; a light theme sets light. */
    color-scheme: dark;
    color: var(--vc-foreground);
    background: var(--vc-background);
    border-radius: var(--vc-radius);
    font-family: var(--vc-font-family);
    font-size: 16px;
    line-height: 1.4;
    padding: 16px;
  }
  :host([hidden]),
  [hidden] {
    display: none !important;
  }
  h2 {
    margin: 0 0 12px;
    font-size: 1.25em;
  }
  .verdict {
    padding: 12px 16px;
    margin-bottom: 12px;
    border-radius: calc(var(--vc-radius) / 2);
    background: var(--vc-surface);
    border-left: 4px solid var(--vc-muted);
  }
  .verdict[data-status='pass'] {
    border-color: var(--vc-success);
  }
  .verdict[data-status='warn'] {
    border-color: var(--vc-warning);
  }
  .verdict[data-status='fail'] {
    border-color: var(--vc-danger);
  }
  .verdict p {
    margin: 0;
    font-weight: 600;
  }
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 8px;
  }
  /* The steps only: the advice list in the verdict is a plain list. */
  .steps > li {
    display: grid;
    grid-template-columns: 28px 1fr;
    gap: 4px 8px;
    padding: 10px 12px;
    background: var(--vc-surface);
    border-radius: calc(var(--vc-radius) / 2);
  }
  .icon {
    width: 24px;
    height: 24px;
    border-radius: 50%;
    display: grid;
    place-items: center;
    font-weight: 700;
    background: var(--vc-muted);
    color: var(--vc-background);
  }
  [data-status='pass'] .icon {
    background: var(--vc-success);
  }
  [data-status='warn'] .icon {
    background: var(--vc-warning);
  }
  [data-status='fail'] .icon {
    background: var(--vc-danger);
  }
  .body {
    min-width: 0;
  }
  .name {
    font-weight: 600;
  }
  .finding,
  .help {
    margin: 2px 0 0;
  }
  .help {
    color: var(--vc-muted);
  }
  video {
    display: block;
    width: min(240px, 100%);
    margin-top: 8px;
    border-radius: calc(var(--vc-radius) / 2);
    background: #000;
    transform: scaleX(-1);
  }
  .level {
    height: 8px;
    margin-top: 8px;
    border-radius: 4px;
    background: var(--vc-background);
    overflow: hidden;
  }
  .level span {
    display: block;
    height: 100%;
    background: var(--vc-accent);
    transition: width 90ms linear;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
    margin-top: 8px;
  }
  button,
  select {
    font: inherit;
    /* A long device name must not push the speaker choice out of a phone-wide step. */
    max-width: 100%;
    min-height: 44px;
    padding: 0 16px;
    border-radius: calc(var(--vc-radius) / 2);
    border: 1px solid var(--vc-muted);
    background: transparent;
    color: inherit;
    cursor: pointer;
  }
  button.primary {
    background: var(--vc-accent);
    border-color: var(--vc-accent);
    color: var(--vc-on-accent);
  }
  button:focus-visible,
  select:focus-visible {
    outline: 3px solid var(--vc-accent);
    outline-offset: 2px;
  }
  ul.advice {
    margin: 8px 0 0;
    padding-left: 20px;
  }
  details {
    margin-top: 12px;
  }
  summary {
    cursor: pointer;
    min-height: 24px;
  }
  summary:focus-visible {
    outline: 3px solid var(--vc-accent);
    outline-offset: 2px;
  }
  @media (prefers-reduced-motion: reduce) {
    .level span {
      transition: none;
    }
  }
  textarea {
    width: 100%;
    box-sizing: border-box;
    min-height: 12em;
    margin-top: 8px;
    font-family: ui-monospace, monospace;
    font-size: 12px;
    color: inherit;
    background: var(--vc-surface);
    border: 1px solid var(--vc-muted);
    border-radius: calc(var(--vc-radius) / 2);
  }
`;
