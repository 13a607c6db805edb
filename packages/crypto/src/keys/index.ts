export {
  dhKeyProvider,
  type KeyProvider,
  type KeyWrap,
  memoryKeyProvider,
  recipientKeyId,
} from './provider.js';
