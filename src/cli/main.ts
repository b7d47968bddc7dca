import { VERSION } from "../core/version.js";

// Fast path: `palisade --version` answers before anything else is loaded.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { buildProgram, runProgram } = await import("./program.js");
  await runProgram(buildProgram(), process.argv);
}
