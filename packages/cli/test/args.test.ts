import { isMedanchorError } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../src/args.js';
import { type Command, defineCommand } from '../src/command.js';
import { wholeNumber } from '../src/whole-number.js';

// Option declarations: integers parsed and bounded once for every command, exclusive
// groups refused together, and values typed from the declarations.

const probe: Command = defineCommand({
  path: ['probe'],
  summary: 'a command for these tests',
  usage: '',
  options: [
    { name: 'depth', type: 'integer', min: 1, value: '<n>', description: 'a positive integer' },
    { name: 'level', type: 'integer', min: 1, max: 3, value: '<n>', description: '1 to 3' },
    { name: 'psbt', type: 'string', value: '<file>', description: 'one' },
    { name: 'signed', type: 'string', value: '<file>', description: 'the other' },
    { name: 'tag', type: 'string', multiple: true, value: '<t>', description: 'repeatable' },
  ],
  exclusive: [['psbt', 'signed']],
  examples: [],
  arity: [0, 0],
  async run({ args }) {
    // Typed from the declarations: these lines do not compile with the wrong types.
    const depth: number | undefined = args.values.depth;
    const tags: string[] | undefined = args.values.tag;
    const json: boolean | undefined = args.values.json;
    return (depth ?? 0) + (tags?.length ?? 0) + (json ? 1 : 0);
  },
});

function usageMessage(argv: string[]): string {
  try {
    parseCommandArgs(probe, argv);
  } catch (e) {
    if (isMedanchorError(e, 'CLI_USAGE')) return e.message;
    throw e;
  }
  return 'accepted';
}

describe('command options', () => {
  it('parses integer options to numbers within their bounds', () => {
    const { values } = parseCommandArgs(probe, ['--depth', '6', '--level=3']);
    expect(values).toMatchObject({ depth: 6, level: 3 });
  });

  it('refuses integers out of range or not in decimal digits, naming the range', () => {
    expect(usageMessage(['--depth', '0'])).toBe('--depth takes a positive integer');
    for (const bad of ['1.5', '-1', '1e2', '0x10', '', ' 6', 'six', '9007199254740992'])
      expect(usageMessage([`--depth=${bad}`]), bad).toBe('--depth takes a positive integer');
    expect(usageMessage(['--level', '4'])).toBe('--level takes a whole number from 1 to 3');
  });

  it('refuses exclusive options given together, and takes each alone', () => {
    expect(usageMessage(['--psbt', 'a', '--signed', 'b'])).toBe(
      '--psbt and --signed cannot be given together; see `medanchor probe --help`',
    );
    expect(usageMessage(['--psbt', 'a'])).toBe('accepted');
    expect(usageMessage(['--signed', 'b'])).toBe('accepted');
  });

  it('leaves values as written when --help is asked (help never fails on a value)', () => {
    expect(parseCommandArgs(probe, ['--help', '--depth', 'x']).values['depth']).toBe('x');
  });

  it('runs with the typed values', async () => {
    const args = parseCommandArgs(probe, ['--depth', '2', '--tag', 'a', '--tag', 'b', '--json']);
    const ctx = { args } as Parameters<Command['run']>[0];
    expect(await probe.run(ctx)).toBe(5);
  });
});

describe('wholeNumber', () => {
  it('takes decimal digits or a JSON number within the range, and nothing else', () => {
    expect(wholeNumber('6', 1)).toBe(6);
    expect(wholeNumber(6, 1)).toBe(6);
    expect(wholeNumber('0', 1)).toBeUndefined();
    expect(wholeNumber(1.5)).toBeUndefined();
    expect(wholeNumber('65536', 0, 65535)).toBeUndefined();
    expect(wholeNumber(true)).toBeUndefined();
    expect(wholeNumber(null)).toBeUndefined();
  });
});
