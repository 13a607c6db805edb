import type { PageVerdict } from './levels.js';

// The page's plain-language summary: what was proven, when and by which log, in words a
// patient or a clinician can act on. The technical steps are shown below it, apart.

/** One line of the "what was checked" list. */
export interface ProvenLine {
  status: 'pass' | 'fail' | 'skip';
  text: string;
}

/** The summary block at the top of the page. */
export interface PlainSummary {
  /** `valid`, `invalid`, `unconfirmed` (as the verdict), for colour. */
  state: PageVerdict['state'];
  headline: string;
  /** One or two sentences: when the record existed, where, in which log; or what went wrong. */
  sentence: string;
  /** Shown prominently when the proof is on a test network or its time is only claimed. */
  caveat?: string;
  proven: ProvenLine[];
}

/** A Unix time as "6 December 2026, 01:42 UTC" (no locale guessing: the same for everyone). */
export function utcWords(seconds: number): string {
  const d = new Date(seconds * 1000);
  const months = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

function networkWords(network: string): string {
  return network === 'mainnet' ? 'Bitcoin' : `Bitcoin ${network}, a test network`;
}

/** Why a record failed level 1, in plain words, by the step that failed. */
function failureWords(step: string): string {
  switch (step) {
    case 'content':
      return 'This file is not the one that was sealed: it has been changed since, or this receipt belongs to another file.';
    case 'format':
    case 'parse':
    case 'version':
      return 'The receipt file is not a medanchor receipt, or it is damaged.';
    case 'anchor':
      return 'The file matches its receipt, but the Bitcoin proof inside the receipt is wrong: do not rely on this receipt.';
    case 'signature':
      return "The file matches its receipt, but the log's checkpoint is not signed by a key you trust: the receipt may come from another log than the one it names. Do not rely on it until you have the right key.";
    default:
      return 'The receipt does not hold together: it is damaged or was altered, so it proves nothing about this file.';
  }
}

/** Why the Bitcoin check did not pass, in plain words. */
function chainWords(v: PageVerdict): string {
  if (v.failure?.step === 'anchor-unchecked')
    return 'The Bitcoin proof in the receipt could not be checked in this page alone (its block is newer than the difficulty history the page knows). Tick block explorers below to check it with the Bitcoin network.';
  const answers = v.chain?.answers ?? [];
  const silent = answers.filter((a) => a.answer === 'no-answer' || a.answer === 'bad-answer');
  if (answers.length > 0 && silent.length === answers.length)
    return `The Bitcoin check could not be made: ${answers.length === 1 ? 'the block explorer did not answer' : 'no block explorer answered'}. Try again later, or choose another explorer.`;
  const shallow = answers.filter((a) => a.answer === 'too-shallow');
  if (shallow.length > 0 && shallow.length + silent.length === answers.length)
    return `The block is in Bitcoin's chain but not yet deep enough (${Math.max(...shallow.map((a) => a.confirmations ?? 0))} of ${v.chain?.confirmations} confirmations). Try again in a while.`;
  if (answers.some((a) => a.answer === 'other-block' || a.answer === 'no-block'))
    return 'An explorer does not have this block in its chain: it may follow another network, or the block was replaced. Do not rely on the time until the check passes.';
  return 'The explorers did not agree that the block is deep enough in the chain.';
}

/** The plain-language summary of a verdict. */
export function plainSummary(v: PageVerdict): PlainSummary {
  const f = v.facts;
  const network = v.network ?? f?.network;
  const proven: ProvenLine[] = [];
  const log = v.origin === undefined ? undefined : `log ${v.origin}`;
  // The signature step runs after the record, commitment and inclusion steps passed.
  const unsigned = v.failure?.step === 'signature';
  if (v.level >= 1 || unsigned)
    proven.push({ status: 'pass', text: 'The file is exactly the one that was sealed.' });
  else proven.push({ status: 'fail', text: 'The file does not match its receipt.' });
  if (unsigned)
    proven.push({
      status: 'fail',
      text: "The log's checkpoint is not signed by a key you trust.",
    });
  if (log !== undefined)
    proven.push({
      status: 'pass',
      text: `It is recorded in ${log}, among ${v.size} ${v.size === 1 ? 'record' : 'records'}.`,
    });
  if (v.signature !== undefined) {
    const n = v.signature.cosigners.length;
    proven.push({
      status: 'pass',
      text: `The log's checkpoint is signed by a key you trust (${v.signature.logKey})${n === 0 ? '' : `, and cosigned by ${n} ${n === 1 ? 'witness' : 'witnesses'} you trust`}.`,
    });
  }
  if (v.level >= 1) {
    if (f !== undefined && (v.level >= 2 || v.failure?.step === 'chain'))
      proven.push({
        status: 'pass',
        text: `The log's fingerprint is written in block ${f.height} of ${networkWords(f.network)}.`,
      });
    else if (v.failure?.step === 'anchor')
      proven.push({ status: 'fail', text: 'The Bitcoin proof in the receipt is wrong.' });
    else if (v.failure?.step === 'anchor-unchecked')
      proven.push({ status: 'skip', text: 'The Bitcoin proof could not be checked yet.' });
    else
      proven.push({
        status: 'skip',
        text: 'It is not yet anchored in Bitcoin: no time is proven.',
      });
  }
  if (v.level === 3 && v.chain !== undefined) {
    const agree = v.chain.answers.filter((a) => a.answer === 'agrees').length;
    proven.push({
      status: 'pass',
      text: `That block is in the chain with at least ${v.chain.confirmations} confirmations, according to ${agree} of ${v.chain.answers.length} block explorers.`,
    });
  } else if (v.failure?.step === 'chain')
    proven.push({
      status: 'fail',
      text: v.failure.undetermined
        ? 'The block explorers could not be asked.'
        : 'The block explorers did not confirm the block.',
    });
  else if (v.level === 2)
    proven.push({
      status: 'skip',
      text: 'Not yet checked with the Bitcoin network: choose block explorers below.',
    });

  const caveat =
    f?.testNetwork === true || (network !== undefined && network !== 'mainnet')
      ? `This proof is on Bitcoin ${network}, a test network where anyone can make blocks at will: it proves nothing about time.`
      : f !== undefined && v.level >= 2 && !f.timeBound
        ? 'The time is what the block claims: it is proven only after the check with the Bitcoin network.'
        : undefined;
  const withCaveat = caveat === undefined ? {} : { caveat };

  if (v.state === 'invalid') {
    return {
      state: 'invalid',
      headline: unsigned
        ? 'This proof is not signed by a log you trust'
        : 'This record does not match its proof',
      sentence: failureWords(v.failure?.step ?? 'format'),
      proven,
    };
  }
  const when =
    f === undefined
      ? undefined
      : f.notLaterThan !== undefined
        ? `no later than ${utcWords(f.notLaterThan)}`
        : `no later than ${utcWords(f.time)}, as the block claims`;
  if (v.state === 'unconfirmed') {
    return {
      state: 'unconfirmed',
      headline: 'The record matches, but the Bitcoin check did not pass',
      sentence: `${chainWords(v)}${when === undefined ? '' : ` The receipt says the record existed ${when}, in ${log}.`}`,
      ...withCaveat,
      proven,
    };
  }
  const sentence =
    when === undefined
      ? `It is recorded in ${log}. It has no Bitcoin anchor yet, so no time is proven.`
      : `It existed ${when} (block ${f?.height} on ${networkWords(f?.network ?? '')}${f?.confirmations === undefined ? '' : `, ${f.confirmations} confirmations`}), in ${log}.`;
  return {
    state: 'valid',
    headline: 'This record is unchanged since it was sealed',
    sentence,
    ...withCaveat,
    proven,
  };
}
