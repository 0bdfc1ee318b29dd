import { parseConfig } from '#shared/config.js';
import { startConsole, type ConsoleSource } from '#infra/console/server.js';
import { deployedSource, localSource } from '#infra/console/source.js';
import { noPositionals, stringFlag, UsageError, type CliCommand } from '../command.js';
import { defaultRequestedBy, runOnTarget, type PrivacyTarget } from '../privacy-target.js';

/** Resolves when the process is asked to stop (Ctrl-C); the CLI then closes the session. */
const untilStopped = (): Promise<void> =>
  new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

export const consoleCommand: CliCommand = {
  name: 'console',
  usage: 'console [--port N] [--stage S | --stack NAME] [--retention-days N]',
  summary: 'operator console in the browser on 127.0.0.1: calls, timelines, recordings, incidents, retention, hold/erase/export',
  flags: [
    { name: 'port', value: true, description: 'port on 127.0.0.1 (default: a free one)' },
    { name: 'stage', value: true, description: 'deployed stage: stack recording-agent-<stage>, with your AWS credentials' },
    { name: 'stack', value: true, description: 'deployed stack name (instead of --stage)' },
    { name: 'retention-days', value: true, description: "the stage's RETENTION_DAYS (default: this environment's)" },
  ],
  async run(args, context) {
    noPositionals(args);
    const portText = stringFlag(args, 'port') ?? '0';
    const port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port > 65_535) throw new UsageError('--port must be a number from 0 to 65535');
    const retentionText = stringFlag(args, 'retention-days');
    const retentionDays = retentionText === undefined ? parseConfig(process.env).RETENTION_DAYS : Number(retentionText);
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650) {
      throw new UsageError('--retention-days must be a whole number of days from 1 to 3650');
    }
    const stage = stringFlag(args, 'stage');
    const stackName = stringFlag(args, 'stack') ?? (stage ? `recording-agent-${stage}` : undefined);
    const target: PrivacyTarget = stackName ? { kind: 'stack', stackName } : { kind: 'local' };
    const settings = { retentionDays, requestedBy: `console:${defaultRequestedBy()}` };
    const act = (request: Parameters<typeof runOnTarget>[1]) => runOnTarget(target, request, context);
    let source: ConsoleSource;
    if (stackName) source = await deployedSource(stackName, act, settings);
    else {
      const session = await context.session();
      if (session.mode === 'embedded') {
        context.err('no running local stack found (start one with `npm start`): showing a temporary empty one');
      }
      source = localSource(session.endpoints, act, settings);
    }
    const running = await startConsole(source, { port });
    context.err(`console for ${source.label}; Ctrl-C to stop`);
    context.out(`Open ${running.url}`);
    await untilStopped();
    await running.close();
    return 0;
  },
};
