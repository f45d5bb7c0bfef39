// Engine instances for tests (engine-scripts.ts starts them). One instance per engine is shared by
// all test files of a run: vitest.global-setup.ts provides the run's directory and stops what was
// started there at the end; `flock` makes the first file to ask start it and the others reuse it.
import { join } from 'node:path';
import { inject } from 'vitest';
import type { S3Settings } from '../kernel/store/S3BlobStore.js';
import { startEngine, type EngineInstance, type EngineName } from './engine-scripts.js';

export { startEngine, stopEngine, type EngineInstance, type EngineName } from './engine-scripts.js';

declare module 'vitest' {
  export interface ProvidedContext {
    enginesDir: string;
  }
}

/** The run's shared instance of the engine (started by the first test file that asks). */
export function sharedEngine(name: EngineName): Promise<EngineInstance> {
  return startEngine(name, join(inject('enginesDir'), name));
}

/** The S3 settings of an instance started by s3.sh, for `bucket`. */
export function s3Settings(s3: EngineInstance, bucket: string): S3Settings {
  return {
    endpoint: s3.url,
    bucket,
    accessKey: s3.state.ACCESS_KEY!,
    secretKey: s3.state.SECRET_KEY!,
    region: 'us-east-1',
  };
}

/** The same as environment variables (a `tongban` command run by a test). */
export function s3Env(settings: S3Settings): Record<string, string> {
  return {
    TONGBAN_S3_ENDPOINT: settings.endpoint,
    TONGBAN_S3_BUCKET: settings.bucket,
    TONGBAN_S3_ACCESS_KEY: settings.accessKey,
    TONGBAN_S3_SECRET_KEY: settings.secretKey,
    TONGBAN_S3_REGION: settings.region,
  };
}
