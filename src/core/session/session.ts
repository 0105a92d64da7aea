import type { ChainRoot } from '../config/sourceChain';
import type { AwsCredentials } from '../credentials/stsApi';

/** The identity the editor is working as. Holds secrets: never log or show it whole. */
export interface Session {
  readonly profileName: string;
  /** 'role' when the picked profile was assumed; otherwise the kind of source it resolved from. */
  readonly kind: 'role' | ChainRoot['kind'];
  readonly credentials: AwsCredentials;
  /** ms since epoch; undefined for long-term keys. */
  readonly expiresAt?: number;
  readonly startedAt: number;
  readonly region: string;
  /** arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, or the caller ARN for keys. */
  readonly arn: string;
  readonly accountId: string;
  readonly roleName?: string;
  readonly roleArn?: string;
  readonly sessionName?: string;
  /** The profile the first credentials came from, and the whole chain picked -> root. */
  readonly sourceProfile?: string;
  readonly chain: readonly string[];
  readonly durationSeconds?: number;
  readonly stsEndpoint?: string;
  /** The first hop was assumed from an MFA session (no code asked this time, or one code for many roles). */
  readonly mfaSession?: boolean;
  /** How many hops came from the AWS CLI's cache instead of STS. */
  readonly fromCliCache?: number;
  /** The role was assumed with temporary credentials (another role, SSO, an MFA session...): role chaining, one hour at most. */
  readonly chained?: boolean;
}
