// Powertools stays quiet and never reaches for real AWS while tests run.
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_ACCESS_KEY_ID ??= 'testing';
process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// cdk-nag's EventBusOpenAccess rule reads a deprecated CfnEventBusPolicy property; its warning is not ours.
process.env.JSII_DEPRECATED ??= 'quiet';
