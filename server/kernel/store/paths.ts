// Where things live in the data directory. Every part opens the same files through these.
import { join } from 'node:path';

export const databaseFile = (dataDir: string) => join(dataDir, 'tongban.sqlite');
export const blobRoot = (dataDir: string) => join(dataDir, 'blobs');
/** Files derived from the rest that a command may drop and rebuild at any time (`tongban verify`'s trust snapshot). */
export const cacheDir = (dataDir: string) => join(dataDir, 'cache');
