import { SecretValue, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Basic-auth user name SignalWire sends (the Python SDK's default too). */
export const BASIC_AUTH_USER = 'signalwire';

export interface AgentSecretProps {
  removalPolicy: RemovalPolicy;
}

/**
 * The agent secret the functions read: JSON `{username, password, tokenSecret, callerHashSecret}`
 * (see shared/aws/secrets.ts).
 *
 * Secrets Manager generates one random value per secret, and we need three independent ones.
 * So each is generated in its own secret, and the agent secret is composed from them with
 * CloudFormation dynamic references: the values are created by Secrets Manager, resolved by
 * CloudFormation at deploy time, and never appear in the template, the CDK output or the stack
 * outputs. No custom-resource code is involved. (Cost: four secrets instead of one.)
 *
 * Generated values exclude punctuation because the password travels inside URLs
 * (`https://user:pass@host/...`) and must need no escaping.
 */
export class AgentSecret extends Construct {
  /** The composed secret the functions read (all keys). */
  readonly secret: Secret;
  /**
   * The same without the caller-hash key, for the payment connector: it is in PCI scope and
   * never hashes a caller, so it cannot read the key that would let it re-identify one.
   */
  readonly paymentSecret: Secret;

  constructor(scope: Construct, id: string, props: AgentSecretProps) {
    super(scope, id);
    const generated = (name: string, length: number, description: string): Secret =>
      new Secret(this, name, {
        description,
        generateSecretString: { passwordLength: length, excludePunctuation: true, includeSpace: false },
        removalPolicy: props.removalPolicy,
      });

    const password = generated('BasicAuthPassword', 32, 'recording-agent: basic-auth password (key material)');
    const tokenSecret = generated('TokenKey', 64, 'recording-agent: HMAC key for per-call secure-tool tokens');
    // Losing this key orphans every stored caller hash (no erase-by-caller): retained like the table.
    const callerHashSecret = generated('CallerHashKey', 64, 'recording-agent: HMAC key for caller hashes');

    this.secret = new Secret(this, 'Agent', {
      description: 'recording-agent: {username, password, tokenSecret, callerHashSecret} read by the functions',
      secretObjectValue: {
        username: SecretValue.unsafePlainText(BASIC_AUTH_USER),
        password: password.secretValue,
        tokenSecret: tokenSecret.secretValue,
        callerHashSecret: callerHashSecret.secretValue,
      },
      removalPolicy: props.removalPolicy,
    });
    this.paymentSecret = new Secret(this, 'Payment', {
      description: 'recording-agent: {username, password, tokenSecret} read by the payment connector (no caller-hash key)',
      secretObjectValue: {
        username: SecretValue.unsafePlainText(BASIC_AUTH_USER),
        password: password.secretValue,
        tokenSecret: tokenSecret.secretValue,
      },
      removalPolicy: props.removalPolicy,
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'no automatic rotation: the password lives in URLs configured in SignalWire (rotate = re-paste), and a new caller-hash key orphans every stored hash; rotate by hand per README',
    });
  }
}

/** The SignalWire secret's JSON keys (shared/aws/secrets.ts reads exactly these). */
const SIGNALWIRE_SECRET_KEYS = ['projectId', 'apiToken', 'signingKey', 'spaceUrl'] as const;

/** The command an operator runs to fill the SignalWire secret (`<arn>` = stack output SignalWireSecretArn). */
export function signalWireFillCommand(secretId: string): string {
  return (
    `aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string ` +
    `'{"projectId":"<project id>","apiToken":"<API token>","signingKey":"<signing key>","spaceUrl":"https://<space>.signalwire.com"}'`
  );
}

/**
 * The SignalWire *project* secret: JSON `{projectId, apiToken, signingKey, spaceUrl}`, values
 * only the operator has (SignalWire dashboard → API). The stack creates it with empty
 * placeholders, so no credential ever passes through the template, the CDK output or an
 * environment variable; the functions treat an empty value as "not configured" (signatures not
 * verified, SignalWire's copy not deleted, audio not archived) until it is filled.
 *
 * CloudFormation writes SecretString on create and again only when the template's SecretString
 * changes; the placeholders never change, so values an operator puts survive later deploys.
 * (Do not edit the placeholders: that deploy would reset the filled values.)
 */
export class SignalWireSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: AgentSecretProps) {
    super(scope, id);
    this.secret = new Secret(this, 'Project', {
      description:
        'recording-agent: SignalWire project settings {projectId, apiToken, signingKey, spaceUrl}, created empty; fill with: ' +
        signalWireFillCommand('<this secret ARN, stack output SignalWireSecretArn>') +
        ' (read once per function instance: fill it before pointing SignalWire at the stack; later changes reach new instances)',
      secretObjectValue: Object.fromEntries(SIGNALWIRE_SECRET_KEYS.map((key) => [key, SecretValue.unsafePlainText('')])),
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'operator-filled third-party credentials: the API token and signing key are rotated in the SignalWire dashboard, then put-secret-value (no rotation Lambda can mint them)',
    });
  }
}
