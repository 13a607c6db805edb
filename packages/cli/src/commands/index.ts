import type { Command } from '../command.js';
import { anchorCommand } from './anchor.js';
import { auditListCommand, auditRecordCommand, auditVerifyCommand } from './audit.js';
import { consentCheckCommand, consentGrantCommand, consentRevokeCommand } from './consent.js';
import { consentStatusCommand } from './consent-status.js';
import { devnetCommand } from './devnet.js';
import { decryptCommand, encryptCommand } from './envelope.js';
import { forgetCommand } from './forget.js';
import { headMapCheckCommand, headMapRebuildCommand } from './head-map.js';
import { historyProveCommand, historyVerifyCommand } from './history.js';
import { initCommand } from './init.js';
import { keysNewCommand, keysShowCommand } from './keys.js';
import { otsExportCommand, otsVerifyCommand } from './ots.js';
import { sealCommand } from './seal.js';
import { serveCommand } from './serve.js';
import { stampCommand } from './stamp.js';
import { upgradeCommand } from './upgrade.js';
import { verifyCommand } from './verify.js';
import { witnessCommand } from './witness.js';

/** Every command, in the order `medanchor --help` lists them. */
export const COMMANDS: readonly Command[] = [
  initCommand,
  stampCommand,
  sealCommand,
  anchorCommand,
  upgradeCommand,
  verifyCommand,
  forgetCommand,
  historyProveCommand,
  historyVerifyCommand,
  headMapCheckCommand,
  headMapRebuildCommand,
  otsExportCommand,
  otsVerifyCommand,
  encryptCommand,
  decryptCommand,
  keysNewCommand,
  keysShowCommand,
  consentGrantCommand,
  consentRevokeCommand,
  consentCheckCommand,
  consentStatusCommand,
  auditRecordCommand,
  auditListCommand,
  auditVerifyCommand,
  serveCommand,
  witnessCommand,
  devnetCommand,
];
