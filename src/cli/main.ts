import { VERSION } from "../core/version.js";

// `palisade config schema | head` closes the pipe early: that is a normal end, not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Fast path: `palisade --version` answers before anything else is loaded.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { buildProgram, runProgram } = await import("./program.js");
  await runProgram(buildProgram(), process.argv);
}
