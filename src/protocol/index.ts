export * from './signaling.js';
export * from './validate.js';
export * from './control.js';
export * from './file-transfer.js';
