export {
  type CryptoBackend,
  type CryptoBackendOptions,
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
  type X25519Secret,
  x25519PublicKey,
  x25519SecretOf,
} from './kem.js';
export { HpkeAead, HpkeKdf, HpkeKem, HpkeMode, type HpkeSuite } from './suite.js';
