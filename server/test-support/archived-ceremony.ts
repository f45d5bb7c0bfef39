// A record the quick way: a ceremony (flow-fixtures' agreement) whose recording gets two stored
// segments, signed by both officials and archived by its host. For tests that need records to
// search and verify, not the ceremony itself.
import type { RecordingStore } from '../features/recording/index.js';
import { DEMO_PIN } from '../demo/demo-data.js';
import { ceremonyRequest } from './flow-fixtures.js';
import type { HttpClient } from './HttpClient.js';
import { appendStoredSegment } from './synthetic-recording.js';

export async function archivedCeremony(o: {
  readonly host: HttpClient;
  readonly officials: readonly HttpClient[];
  readonly store: RecordingStore;
  readonly dataDir: string;
}): Promise<{ recordId: string; sessionId: string }> {
  const { body, headers } = await ceremonyRequest();
  const created = await o.host.post('/api/ceremonies', undefined, { body, headers });
  if (created.status !== 201) throw new Error(`ceremony: ${created.status} ${created.text}`);
  const { id, sessionId } = created.json() as { id: string; sessionId: string };
  await appendStoredSegment(o.store, o.dataDir, sessionId);
  await appendStoredSegment(o.store, o.dataDir, sessionId);
  for (const official of o.officials) {
    const signed = await official.post(`/api/ceremonies/${id}/sign`, { pin: DEMO_PIN });
    if (signed.status !== 200) throw new Error(`sign: ${signed.status} ${signed.text}`);
  }
  const archived = await o.host.post(`/api/ceremonies/${id}/archive`);
  if (archived.status !== 201) throw new Error(`archive: ${archived.status} ${archived.text}`);
  return { recordId: (archived.json() as { recordId: string }).recordId, sessionId };
}
