// Issue 15 §1 and §4 through the real HTTP API and a real live, recorded session (headless
// participants, mediasoup → ffmpeg → chained segments): each matter's 意愿确认 script in versions,
// the handling clerk's run through it (pushed over socket.io, every prompt and answer a link of the
// recording chain), materials captured by the originating clerk (upload checked by content, or a
// camera frame), the 确认书's table and material list (pdftotext), the auditor timeline, and the
// evidence package (our verifier and `tongban evidence verify`). Needs `source scripts/worker-env.sh`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Bot } from '../../../bench/support/Bot.js';
import { fromPem } from '../../../certs/encoding.js';
import type { ScriptRunState } from '../../../protocol/http/script.js';
import type { Pushed } from '../../../protocol/socket.js';
import { DEMO_PIN } from '../../demo/demo-data.js';
import { completeScript } from '../../test-support/consent-script.js';
import { handwritingDataUrl, multipart, testImage } from '../../test-support/flow-fixtures.js';
import type { HttpClient } from '../../test-support/HttpClient.js';
import {
  closeLiveRoom,
  joinLiveRoom,
  openCaseWithGuest,
  stopSyntheticMedia,
  waitForRecordedSegments,
} from '../../test-support/live-room.js';
import { TestServer } from '../../test-support/TestServer.js';
import { evidenceChecks, readZip, verifyEvidencePackage } from '../evidence/index.js';

const checklist = { faceVisible: true, idFrontShown: true, idBackShown: true, statedNameAndPurpose: true };
const matter = 'shebao-tingjiao';
let server: TestServer;
let xingren: HttpClient;
let cixi: HttpClient;
let auditor: HttpClient;
let admin: HttpClient;
let work: string;
const bots: Bot[] = [];
const sockets: { disconnect(): void }[] = [];
let live: { id: string; number: string; sessionId: string; guest: HttpClient; guestPeer: string };

const post = (client: HttpClient, path: string, body?: unknown) => client.post(`/api/cases/${live.id}${path}`, body);
const expectRefusal = (res: { status: number; json(): { error: { code: string } } }, status: number, code: string) =>
  expect([res.status, res.json().error.code]).toEqual([status, code]);
const upload = (client: HttpClient, name: string, bytes: Uint8Array, filename = 'scan.bin', id = live.id) => {
  const { body, headers } = multipart({ name }, { field: 'file', filename, type: 'application/octet-stream', bytes });
  return client.post(`/api/cases/${id}/materials`, undefined, { body, headers });
};

async function smallPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 100]).drawText('hukou page 1', { x: 10, y: 50, size: 12 });
  return doc.save();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tongban-script-'));
  server = await TestServer.start({ seed: true, media: { segmentSeconds: 2 } });
  [xingren, cixi, auditor, admin] = (await Promise.all(
    ['clerk.xingren', 'clerk.cixi', 'auditor', 'admin'].map((u) => server.login(u)),
  )) as [HttpClient, HttpClient, HttpClient, HttpClient];
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await closeLiveRoom(bots);
  stopSyntheticMedia();
  rmSync(work, { recursive: true, force: true });
  await server?.dispose();
});

describe('scripts per matter, in versions', () => {
  test('the demo matter has a seeded script; an admin saves new versions, the old ones stay', async () => {
    const seeded = (await cixi.get(`/api/matters/${matter}/scripts`)).json();
    expect(seeded.current).toMatchObject({ matterId: matter, version: 1, createdBy: 'system' });
    expect(seeded.current.steps).toHaveLength(4);
    const steps = [
      { kind: 'statement', text: '{applicant}您好，本次办理“{matter}”全程录音录像。', expected: 'yes' },
      { kind: 'question', text: '请问您是{applicant}本人吗？', expected: 'yes' },
      { kind: 'question', text: '您是否自愿由{handlingSite}为{originatingSite}的申请远程办理？', expected: 'yes' },
      { kind: 'question', text: '是否有人强迫您办理？', expected: 'no' },
    ];
    const saved = await admin.post(`/api/matters/${matter}/scripts`, { steps });
    expect(saved.status, saved.text).toBe(201);
    expect(saved.json()).toMatchObject({ version: 2, createdBy: 'user:admin', steps });
    const all = (await admin.get(`/api/matters/${matter}/scripts`)).json();
    expect(all.current.version).toBe(2);
    expect(all.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(all.versions[1].steps).toEqual(seeded.current.steps);
    const audit = (await admin.get(`/api/audit?action=script.saved&limit=20`)).json().entries;
    expect(audit.map((e: { target: string }) => e.target)).toContain(`matter:${matter}`);
  });

  test('refusals: a clerk may not edit 403, an empty or malformed script 400, an unknown matter 404', async () => {
    const step = { kind: 'question', text: '是吗？', expected: 'yes' };
    expectRefusal(await cixi.post(`/api/matters/${matter}/scripts`, { steps: [step] }), 403, 'forbidden');
    expectRefusal(await admin.post(`/api/matters/${matter}/scripts`, { steps: [] }), 400, 'invalid_request');
    expectRefusal(
      await admin.post(`/api/matters/${matter}/scripts`, { steps: [{ ...step, expected: 'maybe' }] }),
      400,
      'invalid_request',
    );
    expectRefusal(await admin.post(`/api/matters/no-such-matter/scripts`, { steps: [step] }), 404, 'not_found');
    expect((await admin.get(`/api/matters/${matter}/scripts`)).json().current.version).toBe(2);
  });
});

describe('the script in a live, recorded session', () => {
  test('set-up: a case with everyone in the room and the applicant recorded; before the run: not_started', async () => {
    live = await openCaseWithGuest(server, { xingren, cixi }, { name: '韦满港', idNumber: '522501199001011234' });
    bots.push(...(await joinLiveRoom(server, live.sessionId, [live.guest, cixi, xingren])));
    await waitForRecordedSegments(server, live.sessionId, live.guestPeer);
    const state = (await live.guest.get(`/api/cases/${live.id}/script`)).json();
    expect(state).toMatchObject({ status: 'not_started', version: null, prompt: null });
    expect(state.steps[0].text).toBe('韦满港您好，本次办理“社保停缴”全程录音录像。');
    expect(state.steps[2].text).toBe('您是否自愿由慈溪市政务服务办为兴仁市政务服务中心的申请远程办理？');
  });

  test('refusals: the originating clerk may not run it 403; answering before the start 409; confirming before it 409', async () => {
    expectRefusal(await post(xingren, '/script/start'), 403, 'forbidden');
    expectRefusal(await post(xingren, '/script/answer', { answer: 'yes' }), 403, 'forbidden');
    expectRefusal(await post(cixi, '/script/answer', { answer: 'yes' }), 409, 'script_not_running');
    expectRefusal(await post(cixi, '/script/answer', { answer: 'maybe' }), 400, 'invalid_request');
    const refused = await post(cixi, '/confirm-identity', { checklist });
    console.log('confirmation before the script →', refused.status, refused.text);
    expectRefusal(refused, 409, 'script_incomplete');
    // Another case's applicant may not read this one's script.
    const other = await openCaseWithGuest(
      server,
      { xingren, cixi },
      { name: '路人甲', idNumber: '522501199101011234' },
    );
    expectRefusal(await other.guest.get(`/api/cases/${live.id}/script`), 403, 'forbidden');
  });

  test('the handling clerk steps through it (是, 重复, 否); each prompt is pushed and chained with its offset', async () => {
    const desk = await server.socket(xingren);
    sockets.push(desk);
    const pushed: Pushed<ScriptRunState>[] = [];
    desk.on('script:state', (s) => pushed.push(s));
    let state: ScriptRunState = (await post(cixi, '/script/start')).json();
    expect(state).toMatchObject({ status: 'running', version: 2, prompt: { n: 1, total: 4, kind: 'statement' } });
    // Admin edits during the run do not change the version this case uses.
    const step = { kind: 'question', text: '新版本？', expected: 'yes' };
    expect((await admin.post(`/api/matters/${matter}/scripts`, { steps: [step] })).json().version).toBe(3);
    for (const answer of ['yes', 'repeat', 'yes', 'yes', 'no'] as const) {
      await new Promise((r) => setTimeout(r, 150));
      const res = await post(cixi, '/script/answer', { answer });
      expect(res.status, res.text).toBe(200);
      state = res.json();
    }
    expect(state).toMatchObject({ status: 'complete', version: 2, prompt: null });
    expect(state.steps.map((s) => [s.answer, s.shown])).toEqual([
      ['yes', 1],
      ['yes', 2],
      ['yes', 1],
      ['no', 1],
    ]);
    expectRefusal(await post(cixi, '/script/answer', { answer: 'yes' }), 409, 'script_not_running');
    await vi.waitFor(() => expect(pushed.at(-1)?.status).toBe('complete'));
    expect(pushed.map((s) => s.prompt?.n ?? null)).toEqual([1, 2, 2, 3, 4, null]);
    expect((await live.guest.get(`/api/cases/${live.id}/script`)).json().status).toBe('complete');

    // Every prompt shown and answer marked is a link of the recording chain, in order, with its offset.
    const links = await server.app.services.recording.store.segments(live.sessionId);
    const scriptLinks = links.filter((l) => l.track.startsWith('entry:script-'));
    expect(scriptLinks.map((l) => l.track)).toEqual([
      'entry:script-prompt',
      ...Array.from({ length: 4 }, () => ['entry:script-answer', 'entry:script-prompt']).flat(),
      'entry:script-answer',
    ]);
    const dir = (await server.app.services.recording.directory(live.sessionId))!;
    const entries = scriptLinks.map((l) => {
      const bytes = readFileSync(join(dir, l.file));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(l.sha256);
      expect(l.participant).toBe(live.guestPeer);
      return { ...JSON.parse(bytes.toString('utf8')), offsetMs: l.startMs, index: l.index };
    });
    expect(entries.map((e) => `${e.kind}:${e.step}${e.answer ? `=${e.answer}` : ''}`)).toEqual([
      'prompt:1',
      'answer:1=yes',
      'prompt:2',
      'answer:2=repeat',
      'prompt:2',
      'answer:2=yes',
      'prompt:3',
      'answer:3=yes',
      'prompt:4',
      'answer:4=no',
    ]);
    expect(entries[2].text).toBe('请问您是韦满港本人吗？');
    expect(entries.every((e) => e.script.version === 2 && e.by === 'user:clerk.cixi')).toBe(true);
    const offsets = entries.map((e) => e.offsetMs);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(offsets[0]).toBeGreaterThan(0);
    console.log(
      'script chain links:',
      entries
        .map((e) => `#${e.index} ${e.kind} ${e.step}${e.answer ? ` ${e.answer}` : ''} +${e.offsetMs} ms`)
        .join('; '),
    );
    expect(state.steps[3]).toMatchObject({ answerOffsetMs: entries[9].offsetMs, answerChainIndex: entries[9].index });
  });
});

describe('materials', () => {
  test('refusals: handling clerk 403; not an image or PDF 415 (by content, whatever the name); too large 413; encrypted or broken PDF 400', async () => {
    const png = testImage('png');
    expectRefusal(await upload(cixi, '户口簿', png, 'a.png'), 403, 'forbidden');
    expectRefusal(
      await upload(xingren, '户口簿', Buffer.from('GIF89a not allowed'), 'a.png'),
      415,
      'material_unsupported_type',
    );
    expectRefusal(
      await upload(xingren, '户口簿', Buffer.from('plain text'), 'a.pdf'),
      415,
      'material_unsupported_type',
    );
    expectRefusal(
      await upload(xingren, '大文件', Buffer.concat([png, Buffer.alloc(10 * 1024 * 1024)]), 'a.png'),
      413,
      'payload_too_large',
    );
    writeFileSync(join(work, 'plain.pdf'), await smallPdf());
    const qpdf = spawnSync('qpdf', [
      '--encrypt',
      'u',
      'o',
      '256',
      '--',
      join(work, 'plain.pdf'),
      join(work, 'locked.pdf'),
    ]);
    expect(qpdf.status, qpdf.stderr?.toString()).toBe(0);
    expectRefusal(await upload(xingren, '加密', readFileSync(join(work, 'locked.pdf'))), 400, 'pdf_encrypted');
    expectRefusal(await upload(xingren, '损坏', Buffer.from('%PDF-1.7\nnot really a PDF')), 400, 'pdf_corrupt');
    expectRefusal(await upload(xingren, '', png), 400, 'invalid_request');
    expectRefusal(
      await post(xingren, '/materials/camera', { name: '证件', participantId: 'user:nobody' }),
      403,
      'forbidden',
    );
    expect((await xingren.get(`/api/cases/${live.id}/materials`)).json().materials).toEqual([]);
  });

  test('the originating clerk uploads a PNG and a PDF and takes a camera frame; each is a blob and a chain link', async () => {
    const pdf = await smallPdf();
    const png = testImage('png');
    const a = await upload(xingren, '户口簿首页', png, 'IMG_0001');
    expect(a.status, a.text).toBe(201);
    expect(a.json()).toMatchObject({ mediaType: 'image/png', source: 'upload', bytes: png.byteLength });
    const b = await upload(xingren, '社保停缴申请表', pdf, 'form.jpg');
    expect(b.status, b.text).toBe(201);
    expect(b.json()).toMatchObject({ mediaType: 'application/pdf', source: 'upload' });
    const c = await post(xingren, '/materials/camera', {
      name: '高拍仪·身份证复印件',
      participantId: 'user:clerk.xingren',
    });
    expect(c.status, c.text).toBe(201);
    expect(c.json()).toMatchObject({ mediaType: 'image/jpeg', source: 'camera' });
    const list = (await cixi.get(`/api/cases/${live.id}/materials`)).json().materials;
    expect(list.map((m: { name: string }) => m.name)).toEqual(['户口簿首页', '社保停缴申请表', '高拍仪·身份证复印件']);
    const links = await server.app.services.recording.store.segments(live.sessionId);
    for (const m of list) {
      const file = (await cixi.get(`/api/cases/${live.id}/materials/${m.id}`)).body;
      expect(createHash('sha256').update(file).digest('hex')).toBe(m.sha256);
      expect(links[m.chainIndex]).toMatchObject({ sha256: m.sha256, chainHash: m.chainHash });
    }
    expect(links[list[0].chainIndex]!.track).toBe('entry:material-upload');
    expect(links[list[2].chainIndex]!.track).toBe('snapshot:material');
  });
});

describe('confirmation, the 确认书, the timeline and the evidence package', () => {
  let documentId: string;
  let recordId: string;

  test('the 确认书 prints the script as a numbered table and lists the materials', async () => {
    for (const kind of ['face', 'id']) {
      const snap = await post(cixi, '/snapshots', { kind });
      expect(snap.status, snap.text).toBe(201);
    }
    const confirmed = await post(cixi, '/confirm-identity', { checklist });
    expect(confirmed.status, confirmed.text).toBe(201);
    documentId = confirmed.json().documentId;
    const pdf = (await cixi.get(`/api/documents/${documentId}`)).body;
    const text = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).stdout.toString();
    console.log(`pdftotext of the 确认书 (${documentId}):\n${text}`);
    expect(text).toContain(`意愿确认 Consent script (${matter} v2)`);
    const state = (await cixi.get(`/api/cases/${live.id}/script`)).json() as ScriptRunState;
    const rows = text.split('\n');
    for (const s of state.steps) {
      const row = rows.find((r) => r.includes(`+${s.answerOffsetMs} ms #${s.answerChainIndex}`));
      expect(row, `step ${s.n}`).toBeDefined();
      expect(row).toMatch(new RegExp(`^\\s*${s.n}\\s`));
      expect(row).toContain(s.expected === 'yes' ? '是 yes' : '否 no');
    }
    expect(text).toContain('请问您是韦满港本人吗？');
    for (const m of (await cixi.get(`/api/cases/${live.id}/materials`)).json().materials) {
      expect(text).toContain(m.name);
      expect(text).toContain(`sha256 ${m.sha256}`);
      expect(text).toContain(`${m.mediaType} · ${m.bytes} bytes`);
    }
  }, 200_000);

  test('signed, archived: the timeline marks prompts, answers and materials; the evidence package carries and verifies the materials', async () => {
    const sign = (c: HttpClient, body: Record<string, string>) => c.post(`/api/documents/${documentId}/sign`, body);
    expect((await sign(live.guest, { handwriting: handwritingDataUrl() })).status).toBe(200);
    expect((await sign(xingren, { pin: DEMO_PIN })).status).toBe(200);
    expect((await sign(cixi, { pin: DEMO_PIN })).status).toBe(200);
    const archived = await post(cixi, '/archive');
    expect(archived.status, archived.text).toBe(201);
    recordId = archived.json().recordId;

    const timeline = (await auditor.get(`/api/records/${recordId}/timeline`)).json();
    const count = (kind: string) => timeline.marks.filter((m: { kind: string }) => m.kind === kind).length;
    expect([count('script_prompt'), count('script_answer'), count('material')]).toEqual([5, 5, 3]);
    expect(timeline.marks.find((m: { kind: string }) => m.kind === 'material')).toMatchObject({
      role: 'originating_clerk',
    });

    const zip = (await auditor.get(`/api/records/${recordId}/evidence.zip`)).body;
    const root = fromPem(server.rootPem);
    const report = await verifyEvidencePackage(zip, root, evidenceChecks);
    expect(report.problems).toEqual([]);
    const materialChecks = report.checked.filter((c) => /^materials\/.*: link \d+ of the recording chain$/.test(c));
    expect(materialChecks).toHaveLength(3);
    const files = (await readZip(zip)).files;
    const manifest = JSON.parse(Buffer.from(files.get('manifest.json')!).toString());
    expect(manifest.materials.map((m: { name: string }) => m.name)).toEqual([
      '户口簿首页',
      '社保停缴申请表',
      '高拍仪·身份证复印件',
    ]);
    for (const m of manifest.materials)
      expect(createHash('sha256').update(files.get(m.file)!).digest('hex')).toBe(m.sha256);

    const zipPath = join(work, 'evidence.zip');
    writeFileSync(zipPath, zip);
    writeFileSync(join(work, 'root.pem'), server.rootPem);
    const cli = spawnSync(
      process.execPath,
      ['bin/tongban.cjs', 'evidence', 'verify', zipPath, '--trust', join(work, 'root.pem')],
      {
        encoding: 'utf8',
        env: { ...process.env, TONGBAN_DATA: '' },
      },
    );
    console.log(
      'tongban evidence verify →',
      cli.status,
      cli.stdout
        .split('\n')
        .filter((l) => l.includes('materials/'))
        .join(' | '),
    );
    expect(cli.status, cli.stdout).toBe(0);
    expect(cli.stdout.match(/materials\/.*link \d+ of the recording chain/g)).toHaveLength(3);
  }, 400_000);
});

describe('an answer other than expected, corrected by asking again', () => {
  let other: Awaited<ReturnType<typeof openCaseWithGuest>>;
  const run = (path: string, body?: unknown) => cixi.post(`/api/cases/${other.id}/script/${path}`, body);

  test('the script completes but confirmation is refused 409 script_answer_unexpected (audited)', async () => {
    other = await openCaseWithGuest(server, { xingren, cixi }, { name: '赵六', idNumber: '522501199202021234' });
    bots.push(...(await joinLiveRoom(server, other.sessionId, [other.guest, cixi, xingren])));
    await waitForRecordedSegments(server, other.sessionId, other.guestPeer);
    for (const kind of ['face', 'id']) {
      const snap = await cixi.post(`/api/cases/${other.id}/snapshots`, { kind });
      expect(snap.status, snap.text).toBe(201);
    }
    expectRefusal(await run('reask', { step: 1 }), 409, 'script_not_running');
    let state = (await run('start')).json() as ScriptRunState;
    // This case starts after version 3 was saved: one step.
    expect(state).toMatchObject({ version: 3, prompt: { n: 1, total: 1 } });
    expectRefusal(await run('reask', { step: 1 }), 409, 'script_step_unanswered');
    expectRefusal(await run('reask', { step: 2 }), 404, 'not_found');
    expectRefusal(await run('reask', { step: 0 }), 400, 'invalid_request');
    expectRefusal(await xingren.post(`/api/cases/${other.id}/script/reask`, { step: 1 }), 403, 'forbidden');
    state = (await run('answer', { answer: 'no' })).json();
    expect(state.status).toBe('complete');
    const refused = await cixi.post(`/api/cases/${other.id}/confirm-identity`, { checklist });
    expectRefusal(refused, 409, 'script_answer_unexpected');
    const refusals = (await auditor.get('/api/audit?action=identity.confirm_refused&limit=20')).json().entries;
    expect(refusals.map((e: { target: string }) => e.target)).toContain(`case:${other.id}`);
    // completeScript (used by the other flow tests) answers as expected; here the run is already complete.
    expect((await completeScript(cixi, other.id)).status).toBe('complete');
  });

  test('the clerk asks the step again: the new answer counts, the old one stays in the chain and the 确认书 shows both', async () => {
    const wrong = (await cixi.get(`/api/cases/${other.id}/script`)).json().steps[0] as ScriptRunState['steps'][0];
    let state = (await run('reask', { step: 1 })).json() as ScriptRunState;
    expect(state).toMatchObject({ status: 'running', prompt: { n: 1 } });
    expect(state.steps[0]).toMatchObject({ answer: null, shown: 2 });
    expect(state.steps[0]!.corrected).toEqual([
      { answer: 'no', offsetMs: wrong.answerOffsetMs, chainIndex: wrong.answerChainIndex },
    ]);
    expect((await other.guest.get(`/api/cases/${other.id}/script`)).json().prompt.n).toBe(1);
    expectRefusal(await cixi.post(`/api/cases/${other.id}/confirm-identity`, { checklist }), 409, 'script_incomplete');
    await new Promise((r) => setTimeout(r, 150));
    state = (await run('answer', { answer: 'yes' })).json();
    expect(state).toMatchObject({ status: 'complete', prompt: null });
    const fixed = state.steps[0]!;
    expect(fixed).toMatchObject({ answer: 'yes', shown: 2, corrected: [{ answer: 'no' }] });
    expect(fixed.answerOffsetMs!).toBeGreaterThan(wrong.answerOffsetMs!);
    expect(fixed.answerChainIndex!).toBeGreaterThan(wrong.answerChainIndex!);

    // The chain keeps every entry: the wrong answer, the re-ask naming it, the new answer.
    const links = await server.app.services.recording.store.segments(other.sessionId);
    const dir = (await server.app.services.recording.directory(other.sessionId))!;
    const entries = links
      .filter((l) => l.track.startsWith('entry:script-'))
      .map((l) => ({ index: l.index, ...JSON.parse(readFileSync(join(dir, l.file), 'utf8')) }));
    expect(entries.map((e) => `${e.kind}:${e.step}${e.answer ? `=${e.answer}` : ''}`)).toEqual([
      'prompt:1',
      'answer:1=no',
      'prompt:1',
      'answer:1=yes',
    ]);
    expect(entries[2]).toMatchObject({ reasked: true, correctsLink: wrong.answerChainIndex });
    const audit = (await auditor.get('/api/audit?action=script.reasked&limit=20')).json().entries;
    expect(audit.find((e: { target: string }) => e.target === `case:${other.id}`)).toMatchObject({
      details: { step: 1, corrects: wrong.answerChainIndex },
    });

    const confirmed = await cixi.post(`/api/cases/${other.id}/confirm-identity`, { checklist });
    expect(confirmed.status, confirmed.text).toBe(201);
    // Once the 确认书 exists the run is closed: no more corrections.
    expectRefusal(await run('reask', { step: 1 }), 409, 'invalid_state');
    const pdf = (await cixi.get(`/api/documents/${confirmed.json().documentId}`)).body;
    const text = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).stdout.toString();
    const rows = text.split('\n');
    const row = rows.find((r) => r.includes(`+${fixed.answerOffsetMs} ms #${fixed.answerChainIndex}`));
    const note = rows.find((r) => r.includes('更正 corrected'));
    console.log(`corrected step in the 确认书:\n${row}\n${note}`);
    expect(row).toMatch(/^\s*1\s/);
    expect(row).toContain('是 yes (更正)');
    expect(note).toContain(`原 was 否 no +${wrong.answerOffsetMs} ms #${wrong.answerChainIndex}`);
    expect(note).toContain(`是 yes +${fixed.answerOffsetMs} ms #${fixed.answerChainIndex}`);
  }, 200_000);
});
