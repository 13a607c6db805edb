// The browser verifier page: reads a record and its receipt from files the user drops
// or picks, verifies them with the medanchor packages, and shows each level. Level 3
// runs only when the user names an Esplora API, the one server the page then calls.
import { type LevelRow, verifyChainLevel, verifyLevels } from './levels.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const recordInput = $<HTMLInputElement>('record');
const receiptInput = $<HTMLInputElement>('receipt');
const esploraInput = $<HTMLInputElement>('esplora-url');
const confirmationsInput = $<HTMLInputElement>('confirmations');
const chainForm = $<HTMLFormElement>('chain');
const summary = $<HTMLParagraphElement>('summary');
const levels = $<HTMLOListElement>('levels');
const drop = $<HTMLElement>('drop');

let record: File | undefined;
let receipt: File | undefined;
// Each run gets a number; a slower earlier run must not overwrite a later one.
let runs = 0;

function rowItem(r: Pick<LevelRow, 'level' | 'title' | 'detail'> & { status: string }) {
  const li = document.createElement('li');
  li.dataset['status'] = r.status;
  li.dataset['level'] = String(r.level);
  li.textContent = `Level ${r.level} (${r.title}): ${r.status.toUpperCase()}: ${r.detail}`;
  return li;
}

function show(state: string, text: string): void {
  summary.dataset['state'] = state;
  summary.textContent = text;
}

async function run(): Promise<void> {
  if (!record || !receipt) return;
  const id = ++runs;
  const name = record.name;
  // Cleared at once, so nothing stale is on screen while this run works.
  levels.replaceChildren();
  show('busy', 'Verifying...');
  const bytes = new Uint8Array(await record.arrayBuffer());
  const offline = await verifyLevels(bytes, await receipt.text());
  if (id !== runs) return;
  const esploraUrl = esploraInput.value.trim();
  const checkChain =
    esploraUrl !== '' && offline.valid && offline.result?.ok === true && offline.rows.length === 3;
  const rows = offline.rows.map((r) =>
    checkChain && r.level === 3
      ? rowItem({ ...r, status: 'busy', detail: `checking with ${esploraUrl}...` })
      : rowItem(r),
  );
  levels.replaceChildren(...rows);
  if (!offline.valid) {
    show('invalid', `INVALID: ${name} does not match its receipt`);
    return;
  }
  if (!checkChain || offline.result?.ok !== true) {
    show('valid', `VALID: ${name} matches its receipt`);
    return;
  }
  show('busy', `${name} matches its receipt; checking level 3...`);
  const level3 = await verifyChainLevel(bytes, offline.result, {
    esploraUrl,
    minConfirmations: Number(confirmationsInput.value),
  });
  if (id !== runs) return;
  rows.at(-1)?.replaceWith(rowItem(level3));
  if (level3.status === 'fail')
    show('unconfirmed', `VALID to level 2: ${name} matches its receipt, but level 3 did not pass`);
  else show('valid', `VALID: ${name} matches its receipt`);
}

recordInput.addEventListener('change', () => {
  record = recordInput.files?.[0];
  void run();
});
receiptInput.addEventListener('change', () => {
  receipt = receiptInput.files?.[0];
  void run();
});
chainForm.addEventListener('submit', (e) => {
  e.preventDefault();
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
