// The browser verifier page: reads a record and its receipt from files the user drops or
// picks, verifies them with the medanchor packages, and shows a plain-language summary
// first and the technical steps below. The only servers it calls are the block explorers
// the user ticks, for the Bitcoin check.
import { type Explorer, explorerFromUrl, explorersFor } from './explorers.js';
import { type PageVerdict, receiptNetwork, verifyOnPage } from './levels.js';
import { plainSummary } from './summary.js';
import { readTrustInput } from './trust.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const recordInput = $<HTMLInputElement>('record');
const receiptInput = $<HTMLInputElement>('receipt');
const drop = $<HTMLElement>('drop');
const verdictBox = $<HTMLElement>('verdict');
const headline = $<HTMLHeadingElement>('headline');
const summary = $<HTMLParagraphElement>('summary');
const caveat = $<HTMLParagraphElement>('caveat');
const proven = $<HTMLUListElement>('proven');
const chainForm = $<HTMLFormElement>('chain');
const explorerNetwork = $<HTMLSpanElement>('explorer-network');
const explorerList = $<HTMLUListElement>('explorer-list');
const noExplorers = $<HTMLParagraphElement>('no-explorers');
const explorerUrl = $<HTMLInputElement>('explorer-url');
const addExplorer = $<HTMLButtonElement>('add-explorer');
const explorerError = $<HTMLParagraphElement>('explorer-error');
const quorumSelect = $<HTMLSelectElement>('quorum');
const confirmationsInput = $<HTMLInputElement>('confirmations');
const levels = $<HTMLOListElement>('levels');
const statement = $<HTMLParagraphElement>('statement');
const trustInput = $<HTMLTextAreaElement>('trust');
const trustError = $<HTMLParagraphElement>('trust-error');

let record: File | undefined;
let receipt: File | undefined;
let network = 'mainnet';
const added: Explorer[] = [];
const ticked = new Set<string>();
let quorumPicked: number | undefined;
// Each run gets a number; a slower earlier run must not overwrite a later one.
let runs = 0;

function item(tag: 'li', status: string, text: string, level?: number): HTMLLIElement {
  const li = document.createElement(tag);
  li.dataset['status'] = status;
  if (level !== undefined) li.dataset['level'] = String(level);
  li.textContent = text;
  return li;
}

function renderExplorers(): void {
  const list = explorersFor(network, added);
  explorerNetwork.textContent = network;
  explorerList.replaceChildren(
    ...list.map((e) => {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = e.url;
      box.checked = ticked.has(e.url);
      box.addEventListener('change', () => {
        if (box.checked) ticked.add(e.url);
        else ticked.delete(e.url);
        renderQuorum();
        void run();
      });
      const label = document.createElement('label');
      label.append(box, ` ${e.label} `);
      const code = document.createElement('code');
      code.textContent = e.url;
      label.append(code);
      const li = document.createElement('li');
      li.append(label);
      return li;
    }),
  );
  noExplorers.hidden = list.length > 0;
  renderQuorum();
}

/** Explorers ticked for the current network, in list order. */
function chosen(): string[] {
  return explorersFor(network, added)
    .map((e) => e.url)
    .filter((u) => ticked.has(u));
}

function renderQuorum(): void {
  const n = chosen().length;
  const picked = quorumPicked !== undefined && quorumPicked <= n ? quorumPicked : undefined;
  quorumSelect.replaceChildren(
    ...Array.from({ length: Math.max(n, 1) }, (_, i) => {
      const o = document.createElement('option');
      o.value = String(i + 1);
      o.textContent = n === 0 ? 'none chosen' : `${i + 1} of ${n}`;
      return o;
    }),
  );
  // All of them unless the user chose fewer: one explorer's word should not overrule another's.
  quorumSelect.value = String(picked ?? Math.max(n, 1));
  quorumSelect.disabled = n === 0;
}

function showVerdict(v: PageVerdict): void {
  const s = plainSummary(v);
  verdictBox.dataset['state'] = s.state;
  summary.dataset['state'] = s.state;
  headline.textContent = s.headline;
  summary.textContent = s.sentence;
  caveat.hidden = s.caveat === undefined;
  caveat.textContent = s.caveat ?? '';
  proven.replaceChildren(...s.proven.map((p) => item('li', p.status, p.text)));
  levels.replaceChildren(
    ...v.rows.map((r) =>
      item(
        'li',
        r.status,
        `Level ${r.level} (${r.title}): ${r.status.toUpperCase()}: ${r.detail}`,
        r.level,
      ),
    ),
  );
  statement.hidden = v.statement === undefined;
  statement.textContent =
    v.statement === undefined ? '' : `Verifier's statement: the record ${v.statement}.`;
}

function showBusy(text: string): void {
  verdictBox.dataset['state'] = 'busy';
  summary.dataset['state'] = 'busy';
  headline.textContent = 'Checking...';
  summary.textContent = text;
  caveat.hidden = true;
  proven.replaceChildren();
  levels.replaceChildren();
  statement.hidden = true;
}

async function run(): Promise<void> {
  const trust = readTrustInput(trustInput.value);
  trustError.hidden = trust.kind !== 'error';
  trustError.textContent = trust.kind === 'error' ? trust.error : '';
  if (!record || !receipt) return;
  const id = ++runs;
  if (trust.kind === 'error') {
    // No verdict under a policy the user did not mean: say what to fix instead.
    showBusy('Fix the trusted keys above to check the record.');
    headline.textContent = 'The trusted keys are not valid';
    verdictBox.dataset['state'] = 'idle';
    summary.dataset['state'] = 'idle';
    return;
  }
  // Busy at once, before any await: nothing stale stays on screen while this run works.
  showBusy('Checking the record...');
  const receiptText = await receipt.text();
  try {
    const named = receiptNetwork(JSON.parse(receiptText));
    if (named !== undefined && named !== network) {
      network = named;
      renderExplorers();
    }
  } catch {
    // Not JSON: verifyOnPage says so.
  }
  const explorers = chosen();
  if (explorers.length > 0)
    showBusy(
      `Checking the record, then asking ${explorers.length} block explorer${explorers.length === 1 ? '' : 's'}...`,
    );
  const bytes = new Uint8Array(await record.arrayBuffer());
  const v = await verifyOnPage(bytes, receiptText, {
    explorers,
    quorum: Number(quorumSelect.value) || explorers.length,
    confirmations: Number(confirmationsInput.value),
    ...(trust.kind === 'policy' ? { trust: trust.trust } : {}),
  });
  if (id !== runs) return;
  showVerdict(v);
}

recordInput.addEventListener('change', () => {
  record = recordInput.files?.[0];
  void run();
});
receiptInput.addEventListener('change', () => {
  receipt = receiptInput.files?.[0];
  void run();
});
addExplorer.addEventListener('click', () => {
  const e = explorerFromUrl(explorerUrl.value);
  explorerError.hidden = !('error' in e);
  if ('error' in e) {
    explorerError.textContent = e.error;
    return;
  }
  if (!added.some((a) => a.url === e.url)) added.push(e);
  ticked.add(e.url);
  explorerUrl.value = '';
  renderExplorers();
  void run();
});
trustInput.addEventListener('input', () => void run());
quorumSelect.addEventListener('change', () => {
  quorumPicked = Number(quorumSelect.value);
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
  const files = Array.from(e.dataTransfer?.files ?? []);
  // `x.receipt.json` is the receipt; otherwise a `.json` file, unless it is the only candidate.
  const named = files.find((f) => f.name.endsWith('.receipt.json'));
  for (const f of files) {
    if (f === named || (named === undefined && f.name.endsWith('.json') && !receipt)) receipt = f;
    else record = f;
  }
  void run();
});
renderExplorers();
