export * from './signaling.js';
export * from './validate.js';
