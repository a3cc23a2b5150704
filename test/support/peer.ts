// The script of the peer pages, external so that it also runs under a strict CSP.
import * as vc from '../../src/index.js';
import * as helpers from '../browser/helpers.js';

Object.assign(window, { vc, helpers, peerReady: true });
