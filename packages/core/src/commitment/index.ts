export {
  COMMITMENT_TAG,
  type CommitOptions,
  commitDigest,
  commitRecord,
  computeCommitment,
  newSalt,
  type RecordCommitment,
  SALT_LENGTH,
} from './commitment.js';
