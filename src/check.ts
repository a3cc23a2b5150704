/**
 * `video-consult/check`: the `<video-consult-check>` pre-call check alone, registered. Importing
 * this module registers the element (once, even if the module is loaded twice).
 * @packageDocumentation
 */
import { define } from './element/define.js';
import { VideoConsultCheck } from './element/video-consult-check.js';

export { VideoConsultCheck } from './element/video-consult-check.js';
export { CHECK_STRINGS, resolveCheckStrings, type CheckStrings, type CheckStringsOverrides } from './element/check-strings.js';
export {
  runPrecallCheck,
  playTestSound,
  formatReport,
  CheckStatus,
  CheckCode,
  AdviceCode,
  StepId,
  THRESHOLDS,
  type PrecallOptions,
  type PrecallReport,
  type StepResult,
  type PathResult,
  type Verdict,
  type Figure,
  type Environment,
  type BrowserName,
  type FirewallFacts,
} from './core/precall/index.js';

define('video-consult-check', VideoConsultCheck);
