// kill -9 of the server in the middle of a recorded session (three bots publishing, an agreement
// already signed), then a restart on the same data directory: the recording is sealed as
// interrupted and its closed segments verify, SQLite's integrity check passes, the signed document
// and the audit chain verify.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BotRooms } from '../../bench/support/BotRooms.js';
import { Harness } from '../../bench/support/harness.js';
import { children, sample } from '../../bench/support/proc.js';
import { SyntheticMedia } from '../../bench/support/SyntheticMedia.js';
import { tempDir } from '../../bench/support/temp.js';
import type { RecordingStateView } from '../../protocol/media.js';
import { DEMO_PIN, agreementPdf, clientAs, integrityCheck, tongban, until, uploadAgreement } from './support.js';

const dir = tempDir('fault-kill9-');
const harnesses: Harness[] = [];
const media = new SyntheticMedia();
let rooms: BotRooms | undefined;

afterAll(async () => {
  await rooms?.close().catch(() => undefined);
  media.stop();
  for (const h of harnesses) await h.stop();
  dir.remove();
});

const recordingState = (h: Harness, sessionId: string) =>
  h.request('recordingState', { sessionId }) as Promise<RecordingStateView>;

describe('kill -9 during a recorded session', () => {
  it('restarts with the recording sealed as interrupted, an intact database, a valid signed document and audit chain', async () => {
    const h = await Harness.start({ dataDir: dir.path, record: true });
    harnesses.push(h);
    // An agreement signed before the crash.
    const official = await clientAs(h, 'official.ninghai');
    const created = await uploadAgreement(official, await agreementPdf());
    expect(created.status, created.text).toBe(201);
    const ceremony = created.json<{ id: string; documentId: string }>();
    const signed = await official.post(`/api/ceremonies/${ceremony.id}/sign`, { pin: DEMO_PIN });
    expect(signed.status, signed.text).toBe(200);
    expect(signed.json<{ status: string }>().status).toBe('signed');

    // Three bots in a recorded case session, until at least two segments are closed and chained.
    rooms = new BotRooms(h, media, 3);
    await rooms.addRoom();
    await rooms.waitAllDecoding();
    const sessionId = rooms.rooms[0]!.ticket.sessionId;
    const live = await until(
      40_000,
      'two closed segments',
      () => recordingState(h, sessionId),
      (s) => s.state === 'recording' && s.segmentCount >= 2,
    );

    // The crash: SIGKILL the server; its mediasoup worker and ffmpeg children are orphaned and killed too.
    const orphans = children(h.pid).map((c) => c.pid);
    expect(orphans.length).toBeGreaterThanOrEqual(2);
    await h.kill();
    await new Promise((r) => setTimeout(r, 1000));
    const survivors = orphans
      .map((pid) => sample(pid))
      .filter((p): p is NonNullable<typeof p> => p !== undefined && p.state !== 'Z');
    process.stdout.write(
      `kill -9: ${survivors.length} of ${orphans.length} children still running 1 s later (${survivors.map((p) => p.comm).join(', ')})\n`,
    );
    await rooms.close();
    rooms = undefined;

    // Restart on the same data directory: recovery stops the orphaned recorders, then seals what was open.
    const again = await Harness.start({ dataDir: dir.path, record: true });
    harnesses.push(again);
    const stillRunning = survivors.filter((p) => {
      const now = sample(p.pid);
      return now !== undefined && now.state !== 'Z' && now.comm === 'ffmpeg';
    });
    process.stdout.write(`after restart: ${stillRunning.length} orphaned ffmpeg recorders still running\n`);
    for (const p of survivors) if (sample(p.pid)) process.kill(p.pid, 'SIGKILL');
    expect(stillRunning).toEqual([]);
    const after = await recordingState(again, sessionId);
    expect(after.state).toBe('interrupted');
    expect(after.segmentCount).toBeGreaterThanOrEqual(live.segmentCount);

    const auditor = await clientAs(again, 'official.ninghai');
    const pdf = await auditor.get(`/api/documents/${ceremony.documentId}`);
    expect(pdf.status).toBe(200);
    const pdfFile = join(dir.path, 'signed-before-crash.pdf');
    writeFileSync(pdfFile, pdf.body);
    await again.stop();

    expect(integrityCheck(dir.path)).toBe('ok');
    const record = tongban(['record', 'verify', sessionId, '--data', dir.path, '--json']);
    expect(record.status, record.stdout + record.stderr).toBe(0);
    const verdict = JSON.parse(record.stdout) as { status: string; valid: boolean; segmentCount: number };
    expect(verdict.status).toBe('interrupted');
    expect(verdict.segmentCount).toBe(after.segmentCount);
    const audit = tongban(['audit', 'verify', '--data', dir.path]);
    expect(audit.status, audit.stdout + audit.stderr).toBe(0);
    const doc = tongban(['verify', pdfFile, '--data', dir.path, '--json']);
    expect(doc.status, doc.stdout + doc.stderr).toBe(0);
    expect((JSON.parse(doc.stdout) as { valid: boolean }).valid).toBe(true);
  }, 115_000);
});
