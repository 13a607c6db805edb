// The browser verifier page: reads a record and its receipt from files the user drops
// or picks, verifies them with the medanchor packages, and shows each level.
import { verifyLevels } from './levels.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const recordInput = $<HTMLInputElement>('record');
const receiptInput = $<HTMLInputElement>('receipt');
const summary = $<HTMLParagraphElement>('summary');
const levels = $<HTMLOListElement>('levels');
const drop = $<HTMLElement>('drop');

let record: File | undefined;
let receipt: File | undefined;

async function run(): Promise<void> {
  if (!record || !receipt) return;
  summary.dataset['state'] = 'busy';
  summary.textContent = 'Verifying...';
  const { valid, rows } = await verifyLevels(
    new Uint8Array(await record.arrayBuffer()),
    await receipt.text(),
  );
  levels.replaceChildren(
    ...rows.map((r) => {
      const li = document.createElement('li');
      li.dataset['status'] = r.status;
      li.dataset['level'] = String(r.level);
      li.textContent = `Level ${r.level} (${r.title}): ${r.status.toUpperCase()}: ${r.detail}`;
      return li;
    }),
  );
  summary.dataset['state'] = valid ? 'valid' : 'invalid';
  summary.textContent = valid
    ? `VALID: ${record.name} matches its receipt`
    : `INVALID: ${record.name} does not match its receipt`;
}

recordInput.addEventListener('change', () => {
  record = recordInput.files?.[0];
  void run();
});
receiptInput.addEventListener('change', () => {
  receipt = receiptInput.files?.[0];
  void run();
});
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  for (const f of Array.from(e.dataTransfer?.files ?? [])) {
    if (f.name.endsWith('.json') && !receipt) receipt = f;
    else record = f;
  }
  void run();
});
