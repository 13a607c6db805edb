// Child of head-map-file-crash.test.ts: opens the file head map in argv[2] with the
// scenario's tuning, applies seals `from`.. starting at `root`, and prints `ROOT i hex` as
// each update returns (its entries durable). It prints `POINT n name` at each crash point
// of the store and, at point `killAt` (0: never), SIGKILLs itself there: a real kill -9 at
// an exact point, with no timing involved.
import { writeSync } from 'node:fs';
import { fromHex, toHex, updateHeadMap } from '../../src/index.js';
import { openHeadMapFiles } from '../../src/node/head-map-file-store.js';
import { SEALS, sealUpdates, TUNING } from './head-map-file-scenario.js';

const [dir, from, rootHex, killAt] = process.argv.slice(2) as [string, string, string, string];
let points = 0;
const hook = (point: string) => {
  points++;
  writeSync(1, `POINT ${points} ${point}\n`);
  if (points === Number(killAt)) process.kill(process.pid, 'SIGKILL');
};
const store = await openHeadMapFiles(dir, { ...TUNING, hook });
let root = fromHex(rootHex);
for (let i = Number(from); i < SEALS; i++) {
  root = await updateHeadMap(store, root, sealUpdates(i));
  writeSync(1, `ROOT ${i} ${toHex(root)}\n`);
}
await store.close!();
writeSync(1, 'DONE\n');
