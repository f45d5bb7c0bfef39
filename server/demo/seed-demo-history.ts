// Demo history for the statistics dashboard (issue 16 §6): four months of past cases between the
// partner sites that have demo clerks (慈溪—兴仁, 宁海—椒江, after the news report), served, rejected
// or withdrawn, most served ones rated by their applicant. Past times cannot go through the live
// services (they stamp the present), so these rows are written into the store directly, in the
// shapes the services write: the case, its status events, its ended session, its rating. A fixed
// pseudo-random sequence keeps the demo the same on every machine; seeding twice adds nothing.
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../kernel/audit/AuditLog.js';
import type { Clock } from '../kernel/clock.js';
import type { Database } from '../kernel/store/Database.js';
import type { IdNumberProtector } from '../features/cases/index.js';

export const DEMO_HISTORY_GUEST = 'demo-history';

interface Route {
  readonly from: string;
  readonly to: string;
  readonly partnership: string;
  readonly matters: readonly string[];
}

const routes: readonly Route[] = [
  { from: 'xingren', to: 'cixi', partnership: 'cixi-xingren', matters: ['shebao-tingjiao', 'shuiwu-shiming'] },
  { from: 'cixi', to: 'xingren', partnership: 'cixi-xingren', matters: ['shebao-zhuanyi', 'shuiwu-shiming'] },
  {
    from: 'ninghai',
    to: 'jiaojiang',
    partnership: 'ninghai-jiaojiang',
    matters: ['qiye-gongshang', 'huji-biangeng', 'hunyin-dangan'],
  },
  {
    from: 'jiaojiang',
    to: 'ninghai',
    partnership: 'ninghai-jiaojiang',
    matters: ['churujing-jilu', 'qixiang-zhengming', 'jidongche-jiashizheng'],
  },
];
const applicants = ['韦明辉', '杨秀兰', '罗建军', '黄丽萍', '吴志强', '潘海燕', '蒋文涛', '叶春梅', '林国庆', '陈雅琴'];
// Score 5 … 1 with comments in the spirit of the report ("没想到不仅能办，速度还这么快").
const opinions: readonly [number, string | null][] = [
  [5, '没想到不仅能办，速度还这么快，不用回老家跑一趟。'],
  [5, null],
  [5, '工作人员讲解清楚，视频里一步步指导。'],
  [4, '办得顺利，排队稍久。'],
  [4, null],
  [5, '进一家门，办两地事，很方便。'],
  [3, '视频有点卡，但最后办成了。'],
  [4, null],
  [2, '等待时间太长。'],
  [5, null],
  [1, '网络断了两次，需要重新进入。'],
  [4, '希望能开放更多事项。'],
];
const MINUTE = 60_000;
const DAY = 24 * 3600_000;
const CASES = 48;

export async function seedDemoHistory(deps: {
  readonly db: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly ids: IdNumberProtector;
}): Promise<number> {
  const { db, audit, ids } = deps;
  const seeded = await db.get('SELECT 1 FROM ratings WHERE guest_id = ? LIMIT 1', [DEMO_HISTORY_GUEST]);
  if (seeded) return 0;
  let state = 20201027; // the day 宁海 and 椒江 signed; any fixed seed will do
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const now = deps.clock().getTime();
  const start = now - 120 * DAY;
  const year = new Date(now).getUTCFullYear();
  const insertCase = (...values: unknown[]) =>
    db.run(
      `INSERT INTO cases (id, number, matter_id, originating_site_id, handling_site_id, partnership_id, applicant_name,
       id_hmac, id_masked, phone_masked, status, created_by, accepted_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
      values,
    );
  const insertEvent = (...values: unknown[]) =>
    db.run(
      'INSERT INTO case_events (case_id, at, actor, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?)',
      values,
    );
  const insertSession = (...values: unknown[]) =>
    db.run(
      `INSERT INTO sessions (id, kind, case_id, ceremony_id, status, started_at, ended_at)
       VALUES (?, 'case', ?, NULL, 'ended', ?, ?)`,
      values,
    );
  const insertRating = (...values: unknown[]) =>
    db.run(
      `INSERT INTO ratings (case_id, guest_id, score, comment, channel, rated_at) VALUES (?, ?, ?, ?, '移动端', ?)`,
      values,
    );
  let rated = 0;
  await db.transaction(async () => {
    for (let i = 0; i < CASES; i++) {
      const route = pick(routes);
      const id = randomUUID();
      // Office hours (08:30–16:30 Beijing time) on a day of the last four months.
      const day = Math.floor(start / DAY) * DAY + Math.floor(((i + random()) / CASES) * 118) * DAY;
      const created = day + 30 * MINUTE + Math.floor(random() * 8 * 60) * MINUTE;
      const origin = `clerk.${route.from}`;
      const handler = `clerk.${route.to}`;
      const roll = random();
      const outcome = roll < 0.12 ? 'rejected' : roll < 0.18 ? 'cancelled' : 'archived';
      const idNumber = `52230119900101${String(i).padStart(3, '0')}X`;
      const at = (ms: number) => new Date(ms).toISOString();
      const accepted = created + (2 + Math.floor(random() * (outcome === 'rejected' ? 15 : 40))) * MINUTE;
      const ended = accepted + (8 + Math.floor(random() * 28)) * MINUTE;
      const last = outcome === 'rejected' ? accepted : ended;
      await insertCase(
        id,
        `TB-${year}-9${String(i + 1).padStart(5, '0')}`,
        pick(route.matters),
        route.from,
        route.to,
        route.partnership,
        pick(applicants),
        ids.hmac(idNumber),
        `5223**********${idNumber.slice(-4)}`,
        outcome,
        origin,
        outcome === 'rejected' ? null : handler,
        at(created),
        at(last),
      );
      await insertEvent(id, at(created), `user:${origin}`, null, 'created', null);
      await insertEvent(id, at(created), `user:${origin}`, 'created', 'queued', null);
      if (outcome === 'rejected') {
        await insertEvent(id, at(accepted), `user:${handler}`, 'queued', 'rejected', '材料不全，请补齐后重新提交');
        continue;
      }
      await insertEvent(id, at(accepted), `user:${handler}`, 'queued', 'in_session', null);
      await insertSession(randomUUID(), id, at(accepted), at(ended));
      if (outcome === 'cancelled') {
        await insertEvent(id, at(ended), `user:${origin}`, 'in_session', 'cancelled', '申请人改为线下办理');
      } else {
        await insertEvent(id, at(ended - 6 * MINUTE), `user:${handler}`, 'in_session', 'identity_confirmed', null);
        await insertEvent(id, at(ended - 2 * MINUTE), 'system', 'identity_confirmed', 'signed', null);
        await insertEvent(id, at(ended), `user:${handler}`, 'signed', 'archived', null);
      }
      if (random() < 0.85) {
        const [score, comment] = pick(opinions);
        await insertRating(
          id,
          DEMO_HISTORY_GUEST,
          score,
          comment,
          at(ended + (3 + Math.floor(random() * 90)) * MINUTE),
        );
        rated += 1;
      }
    }
    await audit.append({ actor: 'system', action: 'demo.history_seeded', details: { cases: CASES, ratings: rated } });
  }, 'immediate');
  return CASES;
}
