// Issue 16 §6 against a real server: cases driven through the API over two months (a clock the test
// moves: queue waits, session lengths, a month apart), applicants rating with their one-time token
// after the session ended, and the refusals (twice 409, another guest 403, staff 403, too early 409,
// a wrong token 403). The dashboard's figures are then computed here from what the API says about
// each case (its history, its session, the rating it got) and compared with /api/stats by every
// dimension and filter; the 好差评 CSV is parsed and compared row by row.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HttpClient, TestResponse } from '../../test-support/HttpClient.js';
import { TestServer } from '../../test-support/TestServer.js';
import { ratingLevels, ratingScore, type RatingLevel, type StatsReport } from '../../../protocol/http/stats.js';
import { RATING_CSV_COLUMNS } from './ratings-csv.js';
import { parseCsv } from '../../test-support/csv.js';

const MINUTE = 60_000;
const DAY = 24 * 3600_000;
let now = Date.parse('2026-09-14T01:00:00.000Z');
const clock = () => new Date(now);
const advance = (ms: number) => (now += ms);

let server: TestServer;
/** A phone that joined a later case as a guest (still signed in as that guest). */
let laterGuest: HttpClient;
const refusal = (r: TestResponse) => [r.status, (r.json() as { error?: { code?: string } }).error?.code];

interface Driven {
  readonly id: string;
  readonly level?: RatingLevel;
  readonly comment?: string;
  readonly ratedAt?: string;
}
const driven: Driven[] = [];
/** Tokens and guests of the cases whose applicant joined, by case id. */
const applicants = new Map<string, { guest: HttpClient; token: string }>();

/** Staff logins of the current phase (a month later the 12-hour logins have expired). */
let staff: Record<string, HttpClient> = {};
async function logInStaff(): Promise<void> {
  staff = {};
  for (const u of ['clerk.cixi', 'clerk.xingren', 'clerk.ninghai', 'clerk.jiaojiang', 'auditor', 'admin'])
    staff[u] = await server.login(u);
}

interface Plan {
  readonly from: string;
  readonly to: string;
  readonly matter: string;
  readonly waitMin: number;
  readonly outcome: 'queued' | 'rejected' | 'served' | 'served-no-applicant';
  readonly sessionMin?: number;
  readonly name: string;
}

let idSeq = 0;
function idNumber(): string {
  idSeq += 1;
  return `52232${String(199001010000 + idSeq).padStart(12, '0')}`.slice(0, 17) + 'X';
}

/** Opens, waits, accepts or rejects, lets the applicant join, ends the session by withdrawing. */
async function drive(p: Plan): Promise<string> {
  const origin = staff[`clerk.${p.from}`]!;
  const handler = staff[`clerk.${p.to}`]!;
  const created = await origin.post('/api/cases', {
    matterId: p.matter,
    handlingSite: p.to,
    applicant: { name: p.name, idNumber: idNumber() },
  });
  expect(created.status, created.text).toBe(201);
  const id = created.json().id as string;
  advance(p.waitMin * MINUTE);
  if (p.outcome === 'rejected') {
    expect((await handler.post(`/api/cases/${id}/reject`, { reason: '材料不全' })).status).toBe(200);
  } else if (p.outcome !== 'queued') {
    expect((await handler.post(`/api/cases/${id}/accept`)).status).toBe(200);
    if (p.outcome === 'served') {
      const invitation = await handler.post(`/api/cases/${id}/invitations`);
      const guest = server.client();
      expect((await guest.post('/api/join', { code: invitation.json().code })).status).toBe(200);
      const token = await guest.post(`/api/cases/${id}/rating-token`);
      expect(token.status, token.text).toBe(201);
      applicants.set(id, { guest, token: token.json().token });
    }
    advance((p.sessionMin ?? 1) * MINUTE);
    expect((await origin.post(`/api/cases/${id}/cancel`, { reason: '申请人已办结' })).status).toBe(200);
  }
  advance(2 * MINUTE);
  return id;
}

async function rate(id: string, level: RatingLevel, comment?: string, phone = server.client()): Promise<void> {
  const r = await phone.post(`/api/cases/${id}/rating`, { level, comment, token: applicants.get(id)!.token });
  expect(r.status, r.text).toBe(201);
  driven.push({ id, level, ratedAt: r.json().ratedAt, ...(comment ? { comment } : {}) });
}

beforeAll(async () => {
  server = await TestServer.start({ seed: true, clock });
  await logInStaff();
}, 120_000);
afterAll(async () => server?.stop());

describe('the applicant rates the service once, after the case ends', () => {
  let served: string;
  let other: string;

  test('the rating token: only the case applicant gets one; rating waits for the end of the case', async () => {
    const plan = { from: 'xingren', to: 'cixi', matter: 'shebao-tingjiao', name: '韦满港' } as const;
    const created = await staff['clerk.xingren']!.post('/api/cases', {
      matterId: plan.matter,
      handlingSite: plan.to,
      applicant: { name: plan.name, idNumber: idNumber() },
    });
    served = created.json().id;
    advance(10 * MINUTE);
    await staff['clerk.cixi']!.post(`/api/cases/${served}/accept`);
    const code = (await staff['clerk.cixi']!.post(`/api/cases/${served}/invitations`)).json().code as string;
    const guest = server.client();
    expect((await guest.post('/api/join', { code })).status).toBe(200);
    // Staff have no rating token to ask for.
    expect(refusal(await staff['clerk.cixi']!.post(`/api/cases/${served}/rating-token`))).toEqual([403, 'forbidden']);
    const token = await guest.post(`/api/cases/${served}/rating-token`);
    expect(token.status).toBe(201);
    expect(Date.parse(token.json().expiresAt) - now).toBe(14 * DAY);
    applicants.set(served, { guest, token: token.json().token });
    // In session: too early, with the guest login and with the token alike.
    expect(refusal(await guest.post(`/api/cases/${served}/rating`, { level: 'satisfied' }))).toEqual([
      409,
      'rating_not_open',
    ]);

    // Another applicant, of another case, may neither ask for this case's token nor rate it.
    other = await drive({ ...plan, matter: 'shebao-zhuanyi', name: '张三', waitMin: 4, outcome: 'served' });
    const otherGuest = server.client();
    const third = await staff['clerk.xingren']!.post('/api/cases', {
      matterId: 'shuiwu-shiming',
      handlingSite: 'cixi',
      applicant: { name: '李四', idNumber: idNumber() },
    });
    const thirdId = third.json().id as string;
    await staff['clerk.cixi']!.post(`/api/cases/${thirdId}/accept`);
    const code3 = (await staff['clerk.cixi']!.post(`/api/cases/${thirdId}/invitations`)).json().code as string;
    expect((await otherGuest.post('/api/join', { code: code3 })).status).toBe(200);
    laterGuest = otherGuest;
    expect(refusal(await otherGuest.post(`/api/cases/${served}/rating-token`))).toEqual([403, 'rating_not_applicant']);
    advance(25 * MINUTE);
    expect((await staff['clerk.xingren']!.post(`/api/cases/${served}/cancel`)).status).toBe(200);
    expect(refusal(await otherGuest.post(`/api/cases/${served}/rating`, { level: 'very_dissatisfied' }))).toEqual([
      403,
      'rating_not_applicant',
    ]);
    // The third case stays in session: its applicant's later rating would be too early.
    expect(refusal(await otherGuest.post(`/api/cases/${thirdId}/rating`, { level: 'satisfied' }))).toEqual([
      409,
      'rating_not_open',
    ]);
    driven.push({ id: thirdId });
    advance(2 * MINUTE);
  });

  test('after the session the guest login is gone, the token still rates: once', async () => {
    const { guest, token } = applicants.get(served)!;
    // The session ended with the withdrawal: the guest's cookie no longer signs in.
    expect((await guest.get('/api/me')).status).toBe(401);
    for (const who of ['clerk.cixi', 'clerk.xingren', 'auditor', 'admin'])
      expect(
        refusal(await staff[who]!.post(`/api/cases/${served}/rating`, { level: 'very_satisfied', token })),
        who,
      ).toEqual([403, 'rating_not_applicant']);
    const phone = server.client();
    expect(refusal(await phone.post(`/api/cases/${served}/rating`, { level: 'satisfied' }))).toEqual([
      403,
      'rating_token_invalid',
    ]);
    expect(
      refusal(await phone.post(`/api/cases/${served}/rating`, { level: 'satisfied', token: 'A'.repeat(43) })),
    ).toEqual([403, 'rating_token_invalid']);
    // The other case's token does not rate this one.
    const otherToken = applicants.get(other)!.token;
    expect(refusal(await phone.post(`/api/cases/${served}/rating`, { level: 'satisfied', token: otherToken }))).toEqual(
      [403, 'rating_token_invalid'],
    );
    expect(refusal(await phone.post(`/api/cases/${served}/rating`, { level: 'great', token }))).toEqual([
      400,
      'invalid_request',
    ]);
    expect(
      refusal(await phone.post(`/api/cases/${served}/rating`, { level: 'satisfied', token, comment: 'x'.repeat(501) })),
    ).toEqual([400, 'invalid_request']);
    const missing = await phone.post('/api/cases/00000000-0000-4000-8000-000000000000/rating', {
      level: 'satisfied',
      token,
    });
    expect(missing.status).toBe(404);

    await rate(served, 'very_satisfied', '工作人员耐心，"十分钟"办好,=感谢');
    expect(refusal(await phone.post(`/api/cases/${served}/rating`, { level: 'dissatisfied', token }))).toEqual([
      409,
      'rating_exists',
    ]);
    expect(refusal(await server.client().post(`/api/cases/${served}/rating`, { level: 'satisfied', token }))).toEqual([
      409,
      'rating_exists',
    ]);
    // The pass decides, whatever guest login the phone holds now (it joined a later case since).
    await rate(other, 'basic', '=HYPERLINK("http://example.invalid")', laterGuest);
  });

  test('a token expires', async () => {
    const id = await drive({
      from: 'ninghai',
      to: 'jiaojiang',
      matter: 'qiye-gongshang',
      name: '王五',
      waitMin: 40,
      outcome: 'served',
      sessionMin: 12,
    });
    advance(14 * DAY);
    await logInStaff();
    expect(
      refusal(
        await server.client().post(`/api/cases/${id}/rating`, { level: 'satisfied', token: applicants.get(id)!.token }),
      ),
    ).toEqual([403, 'rating_token_invalid']);
    driven.push({ id });
  });
});

describe('the statistics follow the cases', () => {
  beforeAll(async () => {
    // The rest of the first month, then a month later.
    driven.push({
      id: await drive({
        from: 'xingren',
        to: 'cixi',
        matter: 'shebao-zhuanyi',
        name: '赵六',
        waitMin: 3,
        outcome: 'rejected',
      }),
    });
    driven.push({
      id: await drive({
        from: 'ninghai',
        to: 'jiaojiang',
        matter: 'huji-biangeng',
        name: '钱七',
        waitMin: 1,
        outcome: 'queued',
      }),
    });
    const served = await drive({
      from: 'jiaojiang',
      to: 'ninghai',
      matter: 'qiye-gongshang',
      name: '孙八',
      waitMin: 6,
      outcome: 'served',
      sessionMin: 18,
    });
    await rate(served, 'dissatisfied', '等待时间较长');
    advance(30 * DAY);
    await logInStaff();
    const b1 = await drive({
      from: 'cixi',
      to: 'xingren',
      matter: 'shebao-tingjiao',
      name: '周九',
      waitMin: 7,
      outcome: 'served',
      sessionMin: 30,
    });
    await rate(b1, 'satisfied');
    driven.push({
      id: await drive({
        from: 'xingren',
        to: 'cixi',
        matter: 'shuiwu-shiming',
        name: '吴十',
        waitMin: 20,
        outcome: 'rejected',
      }),
    });
    driven.push({
      id: await drive({
        from: 'jiaojiang',
        to: 'ninghai',
        matter: 'qiye-gongshang',
        name: '郑十一',
        waitMin: 5,
        outcome: 'served-no-applicant',
        sessionMin: 8,
      }),
    });
  }, 120_000);

  /** What the API says about each case, read as the auditor. */
  async function observed() {
    const auditor = staff['auditor']!;
    return Promise.all(
      driven.map(async (d) => {
        const c = (await auditor.get(`/api/cases/${d.id}`)).json();
        const at = (to: string) => (c.history as { to: string; at: string }[]).find((h) => h.to === to)?.at ?? null;
        const session = c.sessionId ? (await auditor.get(`/api/sessions/${c.sessionId}`)).json() : null;
        const decider = c.acceptedBy ?? (at('rejected') ? await clerkOfRejection(c.history) : null);
        return {
          site: c.handlingSite.id as string,
          matter: c.matter.id as string,
          clerk: (decider ?? '') as string,
          month: (at('created') as string).slice(0, 7),
          created: Date.parse(at('created')!),
          accepted: at('in_session') ? Date.parse(at('in_session')!) : null,
          rejected: at('rejected') !== null,
          sessionMs: session?.endedAt ? Date.parse(session.endedAt) - Date.parse(session.startedAt) : null,
          level: d.level,
        };
      }),
    );
  }
  async function clerkOfRejection(history: { to: string; actor: string }[]): Promise<string | null> {
    const actor = history.find((h) => h.to === 'rejected')?.actor;
    return actor?.startsWith('user:') ? actor.slice(5) : null;
  }
  type Seen = Awaited<ReturnType<typeof observed>>[number];

  function expectGroup(group: StatsReport['groups'][number], cases: Seen[]): void {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const waits = cases.filter((c) => c.accepted !== null).map((c) => c.accepted! - c.created);
    const sessions = cases.filter((c) => c.sessionMs !== null).map((c) => c.sessionMs!);
    const accepted = waits.length;
    const rejected = cases.filter((c) => c.rejected).length;
    const levels = cases.flatMap((c) => (c.level ? [c.level] : []));
    expect(group.cases, group.key).toBe(cases.length);
    expect(group.accepted).toBe(accepted);
    expect(group.rejected).toBe(rejected);
    expect(group.rejectionRate).toBe(accepted + rejected ? rejected / (accepted + rejected) : null);
    expect(group.waiting?.meanMs ?? null).toBe(waits.length ? mean(waits) : null);
    expect(group.session?.meanMs ?? null).toBe(sessions.length ? mean(sessions) : null);
    expect(group.ratings.count).toBe(levels.length);
    expect(group.ratings.average).toBe(levels.length ? mean(levels.map((l) => ratingScore[l])) : null);
    for (const l of ratingLevels) expect(group.ratings.distribution[l]).toBe(levels.filter((x) => x === l).length);
  }

  test('by month, site, matter and clerk: every group and the total agree with the cases', async () => {
    const seen = await observed();
    expect(seen.length).toBe(driven.length);
    // The data covers what the figures measure: two months, waits, sessions, rejections, ratings.
    expect(new Set(seen.map((s) => s.month)).size).toBe(2);
    expect(seen.filter((s) => s.rejected).length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.level).length).toBeGreaterThanOrEqual(4);
    for (const by of ['month', 'site', 'matter', 'clerk'] as const) {
      const r = await staff['admin']!.get(`/api/stats?by=${by}`);
      expect(r.status, r.text).toBe(200);
      const report = r.json() as StatsReport;
      const keys = [...new Set(seen.map((s) => s[by]))].sort();
      expect(report.groups.map((g) => g.key).sort()).toEqual(keys);
      for (const g of report.groups)
        expectGroup(
          g,
          seen.filter((s) => s[by] === g.key),
        );
      expectGroup(report.total, seen);
    }
    const byMonth = (await staff['auditor']!.get('/api/stats?by=month')).json() as StatsReport;
    expect(byMonth.groups.map((g) => g.key)).toEqual([...new Set(seen.map((s) => s.month))].sort());
    expect(byMonth.recentRatings.length).toBe(seen.filter((s) => s.level).length);
  });

  test('filters: a site (either end), a matter, a clerk, a date range', async () => {
    const seen = await observed();
    const firstMonth = seen.map((s) => s.month).sort()[0]!;
    const filters: [string, (s: Seen) => boolean][] = [
      // Opened at or handled by the site: the ninghai–jiaojiang cases of both directions.
      ['site=ninghai', (s) => s.site === 'ninghai' || s.site === 'jiaojiang'],
      ['matter=qiye-gongshang', (s) => s.matter === 'qiye-gongshang'],
      ['clerk=clerk.cixi', (s) => s.clerk === 'clerk.cixi'],
      [`from=${firstMonth}-01&to=${firstMonth}-30`, (s) => s.month === firstMonth],
    ];
    for (const [q, keep] of filters) {
      const report = (await staff['auditor']!.get(`/api/stats?by=site&${q}`)).json() as StatsReport;
      const selected = seen.filter(keep);
      expect(selected.length, q).toBeGreaterThan(0);
      expect(selected.length, q).toBeLessThan(seen.length);
      expectGroup(report.total, selected);
    }
  });

  test('only admins and auditors read the figures; bad filters are refused', async () => {
    for (const who of ['clerk.cixi', 'clerk.ninghai'])
      expect(refusal(await staff[who]!.get('/api/stats')), who).toEqual([403, 'forbidden']);
    expect(refusal(await server.client().get('/api/stats'))).toEqual([401, 'unauthenticated']);
    expect(refusal(await staff['admin']!.get('/api/stats?by=weekday'))).toEqual([400, 'invalid_request']);
    expect(refusal(await staff['admin']!.get('/api/stats?from=14.09.2026'))).toEqual([400, 'invalid_request']);
    expect(refusal(await staff['clerk.cixi']!.get('/api/stats/ratings.csv'))).toEqual([403, 'forbidden']);
  });

  test('the 好差评 CSV lists every rating in the documented columns', async () => {
    const res = await staff['auditor']!.get('/api/stats/ratings.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(res.text.slice(1));
    expect(header).toEqual([...RATING_CSV_COLUMNS]);
    const rated = driven.filter((d) => d.level);
    expect(rows.length).toBe(rated.length);
    const col = (row: string[], name: (typeof RATING_CSV_COLUMNS)[number]) => row[RATING_CSV_COLUMNS.indexOf(name)]!;
    for (const d of rated) {
      const c = (await staff['auditor']!.get(`/api/cases/${d.id}`)).json();
      const row = rows.find((r) => col(r, '办件编号') === c.number)!;
      expect(row, c.number).toBeDefined();
      expect(col(row, '事项编码')).toBe(c.matter.id);
      expect(col(row, '事项名称')).toBe(c.matter.name);
      expect(col(row, '办理部门')).toBe(c.handlingSite.name);
      expect(col(row, '评价渠道')).toBe('移动端');
      expect(col(row, '评价等级')).toBe(String(ratingScore[d.level!]));
      // Formula-like text is defused with an apostrophe; quotes and commas survive the quoting.
      const comment = d.comment ?? '';
      expect(col(row, '评价内容')).toBe(/^[=+\-@]/.test(comment) ? `'${comment}` : comment);
      const name = [...(c.applicant.name as string)];
      expect(col(row, '申请人')).toBe(
        name.length === 2 ? `${name[0]}*` : `${name[0]}${'*'.repeat(name.length - 2)}${name.at(-1)}`,
      );
      // Beijing time (UTC+8) of the moment the rating answer gave.
      const beijing = new Date(Date.parse(d.ratedAt!) + 8 * 3600_000);
      expect(col(row, '评价时间')).toBe(`${beijing.toISOString().slice(0, 10)} ${beijing.toISOString().slice(11, 19)}`);
    }
    expect(rows.map((r) => col(r, '评价等级名称')).sort()).toEqual(
      rated
        .map(
          (d) =>
            ({
              very_satisfied: '非常满意',
              satisfied: '满意',
              basic: '基本满意',
              dissatisfied: '不满意',
              very_dissatisfied: '非常不满意',
            })[d.level!],
        )
        .sort(),
    );
  });
});
