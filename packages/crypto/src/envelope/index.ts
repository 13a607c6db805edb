export * from '../keys/index.js';
export { envelopeAnchorDigest } from './digest.js';
export {
  DEFAULT_MAX_RECIPIENTS,
  type EnvelopeAead,
  type EnvelopeContext,
  type EnvelopeHeader,
  type RecipientStanza,
} from './format.js';
export { type OpenedEnvelope, type OpenOptions, open } from './open.js';
export {
  type AddRecipientOptions,
  addRecipient,
  listRecipients,
  type RecipientCapOptions,
  type RecipientInfo,
  removeRecipient,
} from './recipients.js';
export { type SealOptions, seal } from './seal.js';
export { shredEnvelope } from './shred.js';
export { type SplitEnvelope, splitEnvelope } from './split.js';
