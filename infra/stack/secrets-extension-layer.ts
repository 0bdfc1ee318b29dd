import { Aws, CfnMapping, Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * AWS Parameters and Secrets Lambda Extension, arm64 layer, per region: the newest version we
 * could substantiate for each (CDK's built-in V1_0_103 is layer version 4 of 2022, extension
 * 1.0.103; later versions fix CVEs). Layer version numbers differ between regions, so each is
 * listed on its own. Before deploying to a region, check that its layer exists:
 * `aws lambda get-layer-version-by-arn --region <region> --arn <ARN>`; to add a region or move
 * to a newer version, take the ARN from the Systems Manager guide ("Using Parameter Store
 * parameters in AWS Lambda functions", ARM64 table) and check it the same way. The context setting
 * `secretsExtensionLayerArn` overrides this table for the stack's region (settings.ts), so a newer
 * version or another region needs no code change.
 */
export const SECRETS_EXTENSION_ARM64_LAYERS: Readonly<Record<string, string>> = {
  'us-east-1': 'arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:17',
  'us-east-2': 'arn:aws:lambda:us-east-2:590474943231:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:11',
  'us-west-2': 'arn:aws:lambda:us-west-2:345057560386:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:11',
  'eu-west-1': 'arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:11',
  'eu-central-1': 'arn:aws:lambda:eu-central-1:187925254637:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:18',
  'ap-southeast-1': 'arn:aws:lambda:ap-southeast-1:044395824272:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:11',
  'ap-southeast-2': 'arn:aws:lambda:ap-southeast-2:665172237481:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:18',
  'ap-northeast-1': 'arn:aws:lambda:ap-northeast-1:133490724326:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:11',
};

/** The arm64 layer's name; the x86_64 one lacks the suffix and would not load on the functions' arm64. */
export const SECRETS_EXTENSION_ARM64_LAYER_NAME = 'AWS-Parameters-and-Secrets-Lambda-Extension-Arm64';

const MAPPING_ID = 'SecretsExtensionArm64Layer';

/**
 * The layer ARN for the stack's region. `override` (the `secretsExtensionLayerArn` setting) wins;
 * its shape is checked in settings.ts and its region against the stack's in stage-requirements.ts,
 * both before any function is built. Otherwise a stack with a concrete region gets the listed
 * ARN, and an unlisted region fails the synth; an environment-agnostic stack (no region at synth)
 * gets a CloudFormation mapping, which fails the deploy in an unlisted region.
 */
export function secretsExtensionLayerArn(scope: Construct, override?: string): string {
  if (override) return override;
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.region)) {
    const arn = SECRETS_EXTENSION_ARM64_LAYERS[stack.region];
    if (!arn) {
      throw new Error(
        `no AWS Parameters and Secrets Lambda Extension (arm64) layer is listed for region ${stack.region} ` +
          `(listed: ${Object.keys(SECRETS_EXTENSION_ARM64_LAYERS).join(', ')}): pass its ARN as -c secretsExtensionLayerArn=<ARN> ` +
          '(or add it to infra/stack/secrets-extension-layer.ts) after checking it with aws lambda get-layer-version-by-arn',
      );
    }
    return arn;
  }
  const mapping =
    (stack.node.tryFindChild(MAPPING_ID) as CfnMapping | undefined) ??
    new CfnMapping(stack, MAPPING_ID, {
      mapping: Object.fromEntries(Object.entries(SECRETS_EXTENSION_ARM64_LAYERS).map(([region, arn]) => [region, { arn }])),
    });
  return mapping.findInMap(Aws.REGION, 'arn');
}
