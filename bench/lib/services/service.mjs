/**
 * What the scenarios need from anything they start: where it listens, which processes
 * to charge CPU and memory to, and how to stop it.
 *
 * @typedef {object} Service
 * @property {string} name
 * @property {string} url base URL, e.g. http://127.0.0.1:41234
 * @property {() => number[]} pids the processes whose CPU and memory count for this service
 * @property {() => Promise<void>} stop
 */

/**
 * Runs a Node service under another program (the instruction count runs it under valgrind).
 *
 * @typedef {object} Wrapper
 * @property {string} command e.g. valgrind
 * @property {(label: string) => string[]} args the wrapper's own arguments, before node's
 * @property {string[]} nodeArgs flags for node itself
 * @property {number} startMs how long the service may take to announce its URL
 */
export {};
