import { App, type AppProps, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RecordingAgentStack } from './recording-agent-stack.js';
import { readSettings } from './settings.js';

/**
 * Feature flags this stack relies on, set here rather than only in cdk.json so tests get the
 * same behaviour as `cdk synth`.
 */
const FEATURE_FLAGS = {
  // Server access logs are delivered by bucket policy, so the log bucket can disable ACLs.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
} as const;

/** Where the stack goes: account and region (tests pass their own; unset = environment-agnostic). */
export type StackEnvironment = Pick<Environment, 'account' | 'region'>;

/** `cdk deploy` sets these from the CLI's profile and region (`--profile`, `AWS_REGION`). */
function defaultEnvironment(): StackEnvironment {
  return { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
}

export interface AgentApp {
  app: App;
  stack: RecordingAgentStack;
}

/**
 * The CDK app: one stack named after the stage, with the AwsSolutions cdk-nag pack as a
 * validation plugin, so any unacknowledged finding makes `synth` fail (tests and `npm run synth`).
 */
export function createAgentApp(props: AppProps = {}, env: StackEnvironment = defaultEnvironment()): AgentApp {
  const app = new App({ ...props, context: { ...FEATURE_FLAGS, ...props.context } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const { stage } = readSettings(app.node);
  const stack = new RecordingAgentStack(app, `recording-agent-${stage}`, {
    description: `recording-agent (${stage}): SignalWire AI voice agent that records calls compliantly`,
    env,
  });
  return { app, stack };
}
