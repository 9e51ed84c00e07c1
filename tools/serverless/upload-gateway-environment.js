'use strict';
/**
 * The upload gateway container's `Environment` and `Secrets` (resources/upload-gateway.yml), resolved by
 * serverless as `${file(tools/serverless/upload-gateway-environment.js):environment}` / `:secrets`.
 *
 * The stage params tokenKey and identitiesJson hold either a CloudFormation SSM reference
 * (`{{resolve:ssm:/cargohold/<stage>/token-key}}`, what deployed stages use) or a literal (the local stage's
 * fixed key, or a value given at package time). A reference becomes an ECS secret: the task reads the
 * parameter when it starts, and the value never appears in the task definition (a dynamic reference in
 * `Environment` would be resolved into it, readable by anyone allowed ecs:DescribeTaskDefinition). A
 * literal is already in the template (the Lambdas get it the same way), so it stays plain environment.
 */

// cargohold serve's variables (INTERFACE: both win over the key file and the config) → the stage param.
const FROM_PARAMS = [
  ['CARGOHOLD_TOKEN_KEY_BASE64', 'param:tokenKey'],
  ['CARGOHOLD_IDENTITIES_JSON', 'param:identitiesJson'],
];

// An unversioned SSM reference: ECS secrets name a parameter, not one of its versions.
const SSM_REFERENCE = /^\{\{resolve:ssm:(\/[^:{}]+)\}\}$/;

/** `arn:<partition>:ssm:<region>:<account>:parameter/<name without its leading slash>`, at deploy time. */
function parameterArn(name) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:parameter${name}`]] };
}

async function resolveParams(resolveVariable) {
  const values = [];
  for (const [name, variable] of FROM_PARAMS) values.push({ name, value: String(await resolveVariable(variable)) });
  return values;
}

async function environment({ resolveVariable }) {
  const literals = (await resolveParams(resolveVariable)).filter(({ value }) => !SSM_REFERENCE.test(value));
  return [
    // Set explicitly: the SDK reads AWS_REGION, not every variable ECS may or may not inject.
    { Name: 'AWS_REGION', Value: { Ref: 'AWS::Region' } },
    ...literals.map(({ name, value }) => ({ Name: name, Value: value })),
  ];
}

async function secrets({ resolveVariable }) {
  return (await resolveParams(resolveVariable))
    .map(({ name, value }) => ({ name, reference: SSM_REFERENCE.exec(value) }))
    .filter(({ reference }) => reference)
    .map(({ name, reference }) => ({ Name: name, ValueFrom: parameterArn(reference[1]) }));
}

module.exports = { environment, secrets, SSM_REFERENCE };
