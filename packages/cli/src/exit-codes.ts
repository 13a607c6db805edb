/** Exit status: the command did what was asked, or the proof is valid. */
export const EXIT_OK = 0;
/** Exit status: verification ran and the proof is invalid (or consent is denied). */
export const EXIT_INVALID = 1;
/** Exit status: bad usage, unreadable input, or an error that stopped the command. */
export const EXIT_USAGE = 2;
/**
 * Exit status: the proof could not be checked to the level asked (a backend unreachable, or
 * a block past the bundled difficulty schedule offline); nothing was found wrong with it.
 */
export const EXIT_UNCHECKED = 3;
