import { resolve } from 'node:path';
import { UploadApi } from './api-client.js';
import { HELP, parseCommandLine, type RunInvocation } from './args.js';
import {
  type CommandContext,
  type CommandEvents,
  type CommandResult,
  lateCommand,
  reuseCommand,
  uploadCommand,
} from './commands.js';
import { describeError, EXIT_CODES } from './errors.js';
import { ProgressBar } from './progress-bar.js';
import { issuedLine, resultLines, uploadedLine, waitingLine } from './report.js';

/**
 * The CLI as a function of its arguments, environment and output streams, returning the exit code, so
 * tests run exactly what a user runs. `cli.ts` wires it to the process.
 */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: OutputStream;
  stderr: OutputStream;
  fetch?: typeof fetch;
  /** Where relative file names start; the process's working directory by default. */
  cwd?: string;
}

function events(invocation: RunInvocation, io: CliIo): CommandEvents {
  if (invocation.json) return {};
  const bar = io.stderr.isTTY ? new ProgressBar(io.stderr) : undefined;
  const print = (line: string) => {
    bar?.clear();
    io.stdout.write(`${line}\n`);
  };
  return {
    issued: (upload) => print(issuedLine(upload)),
    waiting: (until, reason) => print(waitingLine(until, reason)),
    uploading: (file) => bar?.start(file.name),
    ...(bar ? { progress: (sent: number, total: number) => bar.update(sent, total) } : {}),
    uploaded: (file, answer, attempt) => print(uploadedLine(file, answer, attempt)),
  };
}

async function run(invocation: RunInvocation, context: CommandContext): Promise<CommandResult> {
  const [first = ''] = invocation.files;
  switch (invocation.command) {
    case 'upload':
      return uploadCommand(context, first);
    case 'reuse':
      return reuseCommand(context, invocation.files);
    case 'late':
      return lateCommand(context, first, invocation.delaySeconds);
  }
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  let json = argv.includes('--json');
  try {
    const invocation = parseCommandLine(argv, io.env);
    if (invocation.kind === 'help') {
      io.stdout.write(HELP);
      return EXIT_CODES.ok;
    }
    json = invocation.json;
    const api = new UploadApi({
      apiUrl: invocation.apiUrl,
      apiKey: invocation.apiKey,
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
    const cwd = io.cwd ?? process.cwd();
    const files = invocation.files.map((file) => resolve(cwd, file));
    const result = await run(
      { ...invocation, files },
      {
        api,
        strict: invocation.strict,
        verdictTimeoutMs: invocation.timeoutSeconds * 1000,
        events: events(invocation, io),
      },
    );
    if (json) io.stdout.write(`${JSON.stringify(result)}\n`);
    else for (const line of resultLines(result)) io.stdout.write(`${line}\n`);
    return result.exitCode;
  } catch (error) {
    const { kind, message, exitCode, details } = describeError(error);
    if (json) io.stdout.write(`${JSON.stringify({ error: { kind, message, ...details }, exitCode })}\n`);
    else {
      io.stderr.write(`one-time-upload: ${message}\n`);
      if (kind === 'usage') io.stderr.write('Run one-time-upload --help for the commands and options.\n');
    }
    return exitCode;
  }
}
