/**
 * Settings and tools of one bench run, shared by every scenario.
 *
 * @typedef {object} BenchContext
 * @property {string} dir temp dir of this run (configs, logs, scripts); removed at the end
 * @property {boolean} quick
 * @property {number} repeats measured runs of each case, alternating between cases
 * @property {number} warmupSeconds load before the measured runs of each case, per phase
 * @property {number} measureSeconds one measured run
 * @property {number} soakSeconds scenario (f)
 * @property {number} quietWaitSeconds before each measured run, wait up to this long for other processes to go quiet (0: don't)
 * @property {string | undefined} nginx the nginx binary, when there is one
 * @property {'wrk' | 'autocannon'} loadTool generator for non-stream (and saturation stream) load
 * @property {string | undefined} profileDir set by --profile: scenario (a) also runs a profiled llmux
 * @property {(line: string) => void} log progress on stderr
 */
export {};
