import type { Logger } from '@aws-lambda-powertools/logger';

/** What `lib/` needs of a logger: Powertools' Logger fits, and so does a test double. */
export type DomainLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
