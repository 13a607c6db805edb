import { nodeBuiltin } from '@medanchor/core';
import type { NodeKeyObject } from './node-crypto.js';

// Ephemeral X25519 pairs made ahead on a worker thread, collected synchronously.
//
// Key generation is about a third of a small seal. libuv's thread pool could make the
// pairs, but its results arrive only when the event loop turns, and a caller sealing in
// a loop of awaits (a batch import) never gives it a turn. A worker thread posts each
// pair to a MessagePort, and `receiveMessageOnPort` takes one off the queue without a
// turn. A KeyObject crosses threads as a handle to the same key, so the main thread
// pays a message (a few microseconds) instead of a key generation.
//
// The module is found at run time (never imported), like node:crypto, so browser
// bundles do not see it. The thread starts only after a few pairs were asked for: a
// process that seals now and then never starts one. Each pair is taken once and never
// reused. Whatever goes wrong (no worker_threads, a thread that cannot start or dies,
// a malformed message) turns the pool off, and callers make their keys themselves.

/** A pair taken from the pool: the private half stays a KeyObject. */
export interface PooledX25519Pair {
  privateKey: NodeKeyObject;
  publicKey: Uint8Array;
}

interface Port {
  postMessage(value: unknown): void;
  unref?(): void;
  close(): void;
}

interface Thread {
  unref(): void;
  on(event: 'error' | 'exit', listener: () => void): unknown;
  terminate(): Promise<number>;
}

interface WorkerThreads {
  Worker: new (
    source: string,
    options: { eval: true; workerData: unknown; transferList: unknown[] },
  ) => Thread;
  MessageChannel: new () => { port1: Port; port2: Port };
  receiveMessageOnPort(port: Port): { message: unknown } | undefined;
}

// The thread's whole program (a script, as `eval` workers run; modules are found as on
// the main thread, so no bundler mistakes them for imports). It keeps AHEAD pairs
// posted beyond what the main thread took, BATCH to a message, each as [private
// KeyObject, raw public key]. Flow control is one shared counter of pairs taken, which
// the main thread only increments: no message and no Atomics.notify towards the thread,
// since both take a lock the thread also takes, and on a loaded machine a descheduled
// holder costs the main thread milliseconds. So the thread polls: it naps 1 ms when its
// queue is full, doubling up to 128 ms while nothing is taken (an idle process wakes it
// a few times a second). The public key goes as its own 32-byte array: a view into
// Buffer's shared pool would clone the whole pool.
const THREAD_SOURCE = `'use strict';
const { workerData } = process.getBuiltinModule('node:worker_threads');
const { generateKeyPairSync } = process.getBuiltinModule('node:crypto');
const { port, taken, ahead, batch } = workerData;
const counter = new Int32Array(taken);
let made = 0;
let nap = 1;
for (;;) {
  const seen = Atomics.load(counter, 0);
  if (made - seen <= ahead - batch) {
    const pairs = [];
    for (let i = 0; i < batch; i++) {
      const p = generateKeyPairSync('x25519', { publicKeyEncoding: { format: 'jwk' } });
      pairs.push([p.privateKey, new Uint8Array(Buffer.from(p.publicKey.x, 'base64url'))]);
    }
    port.postMessage(pairs);
    made += batch;
    nap = 1;
  } else if (Atomics.wait(counter, 0, seen, nap) === 'timed-out') {
    nap = Math.min(2 * nap, 128);
  }
}`;

/** Pairs asked for before the thread starts (each made by the caller meanwhile). */
const START_AFTER = 8;
/** Pairs the thread keeps posted beyond those taken. */
const AHEAD = 64;
/**
 * Pairs per message: each message takes the queue's lock on both threads, and under
 * load a holder that is descheduled makes the other wait, so fewer and larger messages.
 */
const BATCH = 16;

type State = 'idle' | 'running' | 'off';
let state: State = 'idle';
let allowed = true;
let taken: Int32Array | undefined;
let ready: PooledX25519Pair[] = [];
let demand = 0;
let thread: Thread | undefined;
let port: Port | undefined;
let threads: WorkerThreads | undefined;

function workerThreads(): WorkerThreads | undefined {
  return nodeBuiltin<WorkerThreads>('node:worker_threads');
}

function start(): void {
  const wt = workerThreads();
  // A runtime that mimics Node only in part (no eval workers, no synchronous receive,
  // no shared memory) keeps making its keys on the calling thread.
  if (
    typeof wt?.Worker !== 'function' ||
    typeof wt.MessageChannel !== 'function' ||
    typeof wt.receiveMessageOnPort !== 'function' ||
    typeof SharedArrayBuffer !== 'function'
  ) {
    state = 'off';
    return;
  }
  try {
    const channel = new wt.MessageChannel();
    const counter = new SharedArrayBuffer(4);
    const t = new wt.Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { port: channel.port2, taken: counter, ahead: AHEAD, batch: BATCH },
      transferList: [channel.port2],
    });
    taken = new Int32Array(counter);
    // Neither the thread nor the port may keep the process alive.
    t.unref();
    channel.port1.unref?.();
    const stop = () => {
      if (thread === t) turnOff();
    };
    t.on('error', stop);
    t.on('exit', stop);
    threads = wt;
    thread = t;
    port = channel.port1;
    state = 'running';
  } catch {
    state = 'off';
  }
}

function turnOff(): void {
  state = 'off';
  port?.close();
  port = undefined;
  thread = undefined;
  taken = undefined;
  ready = [];
}

function pairOf(message: unknown): PooledX25519Pair | undefined {
  if (!Array.isArray(message) || message.length !== 2) return undefined;
  const [privateKey, publicKey] = message as [unknown, unknown];
  if (typeof privateKey !== 'object' || privateKey === null) return undefined;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return undefined;
  return { privateKey: privateKey as NodeKeyObject, publicKey };
}

function pairsOf(message: unknown): PooledX25519Pair[] | undefined {
  if (!Array.isArray(message) || message.length !== BATCH) return undefined;
  const pairs: PooledX25519Pair[] = [];
  for (const m of message) {
    const pair = pairOf(m);
    if (pair === undefined) return undefined;
    pairs.push(pair);
  }
  // Taken from the end: the array is reversed so pairs go out in the order made.
  return pairs.reverse();
}

/**
 * A fresh ephemeral pair made ahead on the worker thread, or `undefined` when none is
 * ready (the caller makes one). Counts the demand and starts the thread once it is
 * worth it. Synchronous.
 */
export function takePooledX25519(): PooledX25519Pair | undefined {
  if (state === 'off' || !allowed) return undefined;
  if (state === 'idle') {
    if (++demand < START_AFTER) return undefined;
    start();
    // start() may have turned the pool off.
    if ((state as State) !== 'running') return undefined;
  }
  if (ready.length === 0) {
    const received = threads!.receiveMessageOnPort(port!);
    if (received === undefined) return undefined;
    const pairs = pairsOf(received.message);
    if (pairs === undefined) {
      turnOff();
      return undefined;
    }
    ready = pairs;
  }
  Atomics.add(taken!, 0, 1);
  return ready.pop();
}

/**
 * Allows or forbids the key thread (see `setCryptoBackend`'s `keyThread` option).
 * Forbidding it stops a running thread and drops the pairs made ahead; allowing it
 * again starts counting demand from zero.
 */
export function allowKeyThread(allow: boolean): void {
  if (allow === allowed) return;
  allowed = allow;
  if (!allow) {
    const t = thread;
    const wasOff = state === 'off' && t === undefined;
    turnOff();
    if (!wasOff) state = 'idle';
    void t?.terminate();
  }
  demand = 0;
}

/**
 * Internal, for tests: stops the thread and forgets the demand, so the next
 * {@link takePooledX25519} counts from zero again; `startNow` skips the count.
 */
export async function resetX25519Pool(startNow = false): Promise<void> {
  const t = thread;
  turnOff();
  state = 'idle';
  demand = startNow ? START_AFTER - 1 : 0;
  if (t !== undefined) await t.terminate();
}

/** Internal, for tests: whether the thread is running. */
export function x25519PoolRunning(): boolean {
  return state === 'running';
}
