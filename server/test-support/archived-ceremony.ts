// A signed ceremony archived as a record, with two stored recording segments: the fixture of the
// retention, long-term validation and batch verification tests (flow B through the real HTTP API,
// no live video).
import { DEMO_PIN } from '../demo/demo-data.js';
import { ceremonyRequest } from './flow-fixtures.js';
import { appendStoredSegment } from './synthetic-recording.js';
import type { TestServer } from './TestServer.js';

/** What the fixture uses of a running server (a TestServer, or the browser tests' app). */
export type ArchivingServer = Pick<TestServer, 'app' | 'dataDir' | 'login'>;

export interface ArchivedCeremony {
  readonly recordId: string;
  readonly documentId: string;
  readonly sessionId: string;
}

/** Needs a seeded server with the recorder on (`{ seed: true, record: true }`). */
export async function archivedCeremony(server: ArchivingServer): Promise<ArchivedCeremony> {
  const [first, second] = await Promise.all(['official.ninghai', 'official.jiaojiang'].map((u) => server.login(u)));
  const host = await server.login('clerk.ninghai');
  const { body, headers } = await ceremonyRequest();
  const created = (await host.post('/api/ceremonies', undefined, { body, headers })).json();
  const store = server.app.services.recording.store;
  await appendStoredSegment(store, server.dataDir, created.sessionId);
  await appendStoredSegment(store, server.dataDir, created.sessionId);
  for (const official of [first!, second!]) {
    const signed = await official.post(`/api/ceremonies/${created.id}/sign`, { pin: DEMO_PIN });
    if (signed.status !== 200) throw new Error(`signing failed: ${signed.status} ${signed.text}`);
  }
  const archived = await host.post(`/api/ceremonies/${created.id}/archive`);
  if (archived.status !== 201) throw new Error(`archiving failed: ${archived.status} ${archived.text}`);
  return { recordId: archived.json().recordId, documentId: created.documentId, sessionId: created.sessionId };
}
