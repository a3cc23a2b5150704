// The script of the peer pages, external so that it also runs under a strict CSP.
import * as vc from '../../src/index.js';
import * as helpers from '../browser/helpers.js';
import * as fileTransferSupport from '../browser/file-transfer-support.js';
import * as ui from '../browser/ui-support.js';

Object.assign(window, { vc, helpers, fileTransferSupport, ui, peerReady: true });
