export {
  type CryptoBackend,
  getCryptoBackend,
  setCryptoBackend,
} from './backend.js';
export {
  type HpkeContext,
  type HpkeRecipientOptions,
  type HpkeSenderOptions,
  hpkeSetupRecipient,
  hpkeSetupSender,
} from './context.js';
export {
  deriveX25519KeyPair,
  generateX25519KeyPair,
  type X25519KeyPair,
  x25519PublicKey,
} from './kem.js';
export { HpkeAead, HpkeKdf, HpkeKem, HpkeMode, type HpkeSuite } from './suite.js';
