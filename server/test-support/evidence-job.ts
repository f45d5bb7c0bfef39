// An evidence package built by the server as an auditor asks for it: the job started, followed until
// it ends, and the package downloaded.
import type { HttpClient } from './HttpClient.js';

export async function exportedEvidence(
  auditor: HttpClient,
  recordId: string,
): Promise<{ status: string; started: number; zip: Buffer }> {
  const started = await auditor.post(`/api/records/${recordId}/evidence`);
  let job = started.json<{ id: string; status: string }>();
  for (let i = 0; i < 600 && job.status === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    job = (await auditor.get(`/api/evidence-jobs/${job.id}`)).json();
  }
  const zip =
    job.status === 'done' ? (await auditor.get(`/api/evidence-jobs/${job.id}/download`)).body : Buffer.alloc(0);
  return { status: job.status, started: started.status, zip };
}
