import type { CliCommand } from '../command.js';
import { consoleCommand } from './console.js';
import { execCommand } from './exec.js';
import { PRIVACY_COMMANDS } from './privacy.js';
import { simulateCommand } from './simulate.js';
import { swmlCommand } from './swml.js';
import { toolsCommand } from './tools.js';
import { transcriptCommand } from './transcript.js';

/**
 * The CLI's command table. A new command (audit, erase, export, hold, ...) is one module
 * exporting a {@link CliCommand} and one entry here.
 */
export const COMMANDS: CliCommand[] = [
  swmlCommand,
  toolsCommand,
  execCommand,
  simulateCommand,
  transcriptCommand,
  ...PRIVACY_COMMANDS,
  consoleCommand,
];
