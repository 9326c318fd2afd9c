import { main } from './main.js';

// The process edge: real arguments, environment and streams.
const { env } = process;

// `npm run client -- upload ./f` runs in the project's folder and keeps the caller's folder in INIT_CWD;
// file names are relative to the caller's. Only for our own scripts: INIT_CWD is inherited by every
// process an npm script starts, wherever it runs.
const viaOwnScript =
  env.npm_lifecycle_event === 'client' ||
  (env.npm_lifecycle_event === 'start' && env.npm_package_name === '@one-time-upload/client');

// `one-time-upload --help | head` closes the pipe early; that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

// The exit code is set, not forced, so buffered output is flushed before the process ends.
process.exitCode = await main(process.argv.slice(2), {
  env,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: viaOwnScript && env.INIT_CWD ? env.INIT_CWD : process.cwd(),
});
