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
  /** The composed secret every function reads. */
  readonly secret: Secret;

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

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'no automatic rotation: the password lives in URLs configured in SignalWire (rotate = re-paste), and a new caller-hash key orphans every stored hash; rotate by hand per README',
    });
  }
}
