// The only module that loads the AWS SDK's credential providers (process, IAM Identity Center,
// aws login, web identity, container and instance metadata). esbuild emits it as its own chunk
// (dist/credentialSources.js), required only when a chain starts at one of those sources.
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { fromLoginCredentials } from '@aws-sdk/credential-provider-login';
import { fromProcess } from '@aws-sdk/credential-provider-process';
import { fromSSO } from '@aws-sdk/credential-provider-sso';
import { fromTokenFile } from '@aws-sdk/credential-provider-web-identity';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import type { CredentialSourceApi, LoginSettings, SourceRequest } from './sourceCredentials';
import type { AwsCredentials } from './stsApi';

interface SdkCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

function plain(c: SdkCredentials): AwsCredentials {
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration };
}

// The SDK logs objects; nothing of them reaches our log but the provider's own debug lines.
function sdkLogger(log: ((line: string) => void) | undefined) {
  const line = (...args: unknown[]) => log?.(args.filter((a) => typeof a === 'string').join(' '));
  return { debug: line, info: line, warn: line, error: line };
}

export function createCredentialSourceApi(settings: { timeoutMs: number; log?: (line: string) => void }): CredentialSourceApi {
  const logger = sdkLogger(settings.log);
  return {
    async process(request: SourceRequest) {
      return plain(await fromProcess({ profile: request.profile.name, filepath: request.paths.credentialsPath, configFilepath: request.paths.configPath, ignoreCache: true, logger })());
    },
    async sso(request: SourceRequest & { sso: { startUrl: string; region: string; accountId: string; roleName: string; session?: string; endpoint?: string } }) {
      const { sso } = request;
      return plain(
        await fromSSO({
          profile: request.profile.name,
          filepath: request.paths.credentialsPath,
          configFilepath: request.paths.configPath,
          ignoreCache: true,
          ssoStartUrl: sso.startUrl,
          ssoRegion: sso.region,
          ssoAccountId: sso.accountId,
          ssoRoleName: sso.roleName,
          ssoSession: sso.session,
          clientConfig: { region: sso.region, endpoint: sso.endpoint, maxAttempts: 2, requestHandler: { requestTimeout: settings.timeoutMs, connectionTimeout: settings.timeoutMs, throwOnRequestTimeout: true } },
          logger,
        })(),
      );
    },
    async login(request: SourceRequest & { login: LoginSettings }) {
      const { login } = request;
      // A new provider on every call reads the cache file again: the SDK refreshes (and rewrites it)
      // when less than 5 minutes remain, and takes up a refresh the AWS CLI already wrote.
      return plain(
        await fromLoginCredentials({
          profile: request.profile.name,
          filepath: request.paths.credentialsPath,
          configFilepath: request.paths.configPath,
          ignoreCache: true,
          clientConfig: { region: login.region, endpoint: login.endpoint, maxAttempts: 2, requestHandler: { requestTimeout: settings.timeoutMs, connectionTimeout: settings.timeoutMs, throwOnRequestTimeout: true } },
          // Its debug lines quote a cache file that failed to parse; keep only warnings (a refresh that failed while the credentials last).
          logger: { ...logger, debug: () => undefined },
        })(),
      );
    },
    async webIdentity(request: SourceRequest & { tokenFile: string; roleArn: string; sessionName: string; region: string; stsEndpoint?: string }) {
      return plain(
        await fromTokenFile({
          webIdentityTokenFile: request.tokenFile,
          roleArn: request.roleArn,
          roleSessionName: request.sessionName,
          clientConfig: { region: request.region, endpoint: request.stsEndpoint, maxAttempts: 2, requestHandler: { requestTimeout: settings.timeoutMs, connectionTimeout: settings.timeoutMs, throwOnRequestTimeout: true } },
          logger,
        })(),
      );
    },
    async container(env) {
      return plain(
        await fromHttp({
          awsContainerCredentialsFullUri: env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
          awsContainerCredentialsRelativeUri: env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
          awsContainerAuthorizationToken: env.AWS_CONTAINER_AUTHORIZATION_TOKEN,
          awsContainerAuthorizationTokenFile: env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE,
          // The SDK also waits `timeout` between attempts; the endpoint is on this machine, so 1 s is plenty.
          timeout: 1000,
          maxRetries: 1,
          logger,
        })(),
      );
    },
    async instanceMetadata() {
      // The endpoint comes from AWS_EC2_METADATA_SERVICE_ENDPOINT or ec2_metadata_service_endpoint, as in the SDK.
      return plain(await fromInstanceMetadata({ timeout: 1000, maxRetries: 1, logger })());
    },
  };
}
