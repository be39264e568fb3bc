/** `routined <command>`: the binary's entry point (see program.ts). */
import { run } from "./program";

const argv = process.argv.slice(2);
const code = await run(argv);
// `start` keeps running until a signal; everything else exits now (idle HTTP keep-alive sockets must not hold it).
if (argv[0] !== "start" || code !== 0) process.exit(code);
