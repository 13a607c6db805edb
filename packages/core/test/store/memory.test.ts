import { expect, it } from 'vitest';
import { memoryLedgerStore } from '../../src/index.js';
import { runLedgerStoreContract } from './contract.js';

runLedgerStoreContract('memory', {
  async create(origin) {
    return { store: memoryLedgerStore({ origin }) };
  },
  persistent: false,
});

it('memoryLedgerStore refuses a bad origin', () => {
  expect(() => memoryLedgerStore({ origin: 'has space' })).toThrow(/origin/);
});
