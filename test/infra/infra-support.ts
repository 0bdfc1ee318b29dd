import { Template } from 'aws-cdk-lib/assertions';
import { createAgentApp, type AgentApp, type StackEnvironment } from '#infra/stack/create-app.js';

/** Skips esbuild bundling: the assertions are about the template, not the bundles. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export interface SynthesizedStack extends AgentApp {
  template: Template;
}

/** What a non-disposable stage must say (infra/stack/stage-requirements.ts); tests of the prod stage start from it. */
export const PROD_SETTINGS = {
  privacyContact: 'privacy@acme.test',
  agentName: 'Ava',
  companyName: 'Acme Clinic',
  alarmEmail: 'oncall@acme.test',
  paymentConnectorUrl: 'https://pay.processor.test/signalwire/connector',
} as const;

const cache = new Map<string, SynthesizedStack>();

/**
 * The stack for a context (on top of {@link PROD_SETTINGS}; `bare` leaves those out) and an
 * environment (default: environment-agnostic), synthesized once per test file (synth costs seconds).
 */
export function synthStack(
  context: Record<string, unknown> = {},
  env: StackEnvironment = {},
  { bare = false } = {},
): SynthesizedStack {
  const key = JSON.stringify([context, env, bare]);
  let entry = cache.get(key);
  if (!entry) {
    const agent = createAgentApp({ context: { ...SKIP_BUNDLING, ...(bare ? {} : PROD_SETTINGS), ...context } }, env);
    entry = { ...agent, template: Template.fromStack(agent.stack) };
    cache.set(key, entry);
  }
  return entry;
}

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };

/** Every resource of a type, keyed by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** Logical id of the function whose POWERTOOLS_SERVICE_NAME is `service`. */
export function functionId(template: Template, service: string): string {
  const match = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(
    ([, r]) => envOf(r).POWERTOOLS_SERVICE_NAME === service,
  );
  if (!match) throw new Error(`no function with service ${service}`);
  return match[0];
}

export function envOf(resource: Resource): Record<string, unknown> {
  const environment = resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

/** One statement of an IAM policy, as synthesized. */
export type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Every statement of the execution role of the function for `service`. */
export function statementsOf(template: Template, service: string): Statement[] {
  const fn = resourcesOf(template, 'AWS::Lambda::Function')[functionId(template, service)];
  const roleRef = (fn?.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => (p.Properties?.Roles as { Ref: string }[]).some((r) => r.Ref === roleRef))
    .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Every IAM action granted to the execution role of the function for `service`. */
export function actionsOf(template: Template, service: string): string[] {
  return statementsOf(template, service).flatMap((statement) => [statement.Action].flat());
}
