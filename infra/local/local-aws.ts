/**
 * Local services accept any SigV4 signature, but the SDK still needs a region and credentials to sign
 * with. These stand in when none are configured; they open nothing.
 */
export const LOCAL_AWS_REGION = 'us-east-1';
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
