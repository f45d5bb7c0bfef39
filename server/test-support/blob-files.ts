// Tests that check a blob's bytes are gone from disk (record destruction, retention) look at the
// local-disk store's files: the default store of a test server.
import { DiskBlobStore, type BlobStore } from '../kernel/store/BlobStore.js';

export function blobFile(blobs: BlobStore, sha256: string): string {
  if (!(blobs instanceof DiskBlobStore)) throw new Error('this test looks at the files of the local-disk blob store');
  return blobs.path(sha256);
}
