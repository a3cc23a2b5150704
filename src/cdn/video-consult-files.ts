/**
 * The script-tag add-on that gives `<video-consult>` file transfer: load it next to
 * video-consult.js. It carries only the file-transfer engine (no Lit, no element).
 */
import { FileTransferManager } from '../file-transfer/manager.js';
import { provideFileTransfer } from '../file-transfer/registry.js';

provideFileTransfer((options) => new FileTransferManager(options));
