// Statistics for admins and auditors: one row per case (its sites, matter, handling clerk, when it
// was opened, accepted or rejected, its first video session and its rating) read in one query, then
// grouped here by site, matter, clerk or month. "Site" groups by the handling site (the one that does
// the service and is rated, the 办理部门 of 好差评); the site filter matches either end of a case.
// The clerk is the handling clerk who accepted the case, or who rejected it.
import type { Database } from '../../kernel/store/Database.js';
import {
  ratingLevels,
  ratingScore,
  type RatingLevel,
  type StatsDimension,
  type StatsGroup,
  type StatsReport,
} from '../../../protocol/http/stats.js';

export interface StatsFilter {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly site?: string | undefined;
  readonly matter?: string | undefined;
  readonly clerk?: string | undefined;
}

/** One case as the statistics see it. */
export interface CaseFact {
  readonly caseId: string;
  readonly number: string;
  readonly status: string;
  readonly matterId: string;
  readonly matterName: string;
  readonly department: string;
  readonly handlingSiteId: string;
  readonly handlingSiteName: string;
  readonly applicantName: string;
  readonly clerkId: string | null;
  readonly clerkName: string | null;
  readonly createdAt: string;
  readonly acceptedAt: string | null;
  readonly rejectedAt: string | null;
  readonly sessionStartedAt: string | null;
  readonly sessionEndedAt: string | null;
  readonly score: number | null;
  readonly comment: string | null;
  readonly channel: string | null;
  readonly ratedAt: string | null;
}

const FACTS = `
  WITH decided AS (
    SELECT c.*,
      (SELECT MIN(e.at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'in_session') AS accepted_at,
      (SELECT MIN(e.at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'rejected') AS rejected_at,
      COALESCE(c.accepted_by, (SELECT substr(e.actor, 6) FROM case_events e
        WHERE e.case_id = c.id AND e.to_status = 'rejected' AND e.actor LIKE 'user:%' LIMIT 1)) AS clerk_id,
      (SELECT s.id FROM sessions s WHERE s.case_id = c.id ORDER BY s.started_at LIMIT 1) AS first_session
    FROM cases c
  )
  SELECT d.id AS "caseId", d.number, d.status, d.matter_id AS "matterId", m.name AS "matterName", m.department,
    d.handling_site_id AS "handlingSiteId", h.name AS "handlingSiteName", d.applicant_name AS "applicantName",
    d.clerk_id AS "clerkId", u.display_name AS "clerkName", d.created_at AS "createdAt",
    d.accepted_at AS "acceptedAt", d.rejected_at AS "rejectedAt",
    s.started_at AS "sessionStartedAt", s.ended_at AS "sessionEndedAt",
    r.score, r.comment, r.channel, r.rated_at AS "ratedAt"
  FROM decided d JOIN matters m ON m.id = d.matter_id JOIN sites h ON h.id = d.handling_site_id
    LEFT JOIN users u ON u.id = d.clerk_id
    LEFT JOIN sessions s ON s.id = d.first_session
    LEFT JOIN ratings r ON r.case_id = d.id`;

const levelOfScore = new Map<number, RatingLevel>(ratingLevels.map((l) => [ratingScore[l], l]));
const RECENT = 20;

export class StatsService {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** The cases the filter selects, oldest first. */
  async facts(filter: StatsFilter): Promise<CaseFact[]> {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.from) {
      where.push('d.created_at >= ?');
      args.push(`${filter.from}T00:00:00.000Z`);
    }
    if (filter.to) {
      where.push('d.created_at < ?');
      args.push(nextDay(filter.to));
    }
    if (filter.site) {
      where.push('(d.originating_site_id = ? OR d.handling_site_id = ?)');
      args.push(filter.site, filter.site);
    }
    if (filter.matter) {
      where.push('d.matter_id = ?');
      args.push(filter.matter);
    }
    if (filter.clerk) {
      where.push('d.clerk_id = ?');
      args.push(filter.clerk);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return this.#db.all<CaseFact>(`${FACTS} ${clause} ORDER BY d.created_at, d.number`, args);
  }

  async report(by: StatsDimension, filter: StatsFilter): Promise<StatsReport> {
    const facts = await this.facts(filter);
    const groups = new Map<string, { label: string; facts: CaseFact[] }>();
    for (const f of facts) {
      const [key, label] = keyOf(by, f);
      const g = groups.get(key) ?? { label, facts: [] };
      g.facts.push(f);
      groups.set(key, g);
    }
    const rated = facts.filter((f) => f.score !== null && f.ratedAt !== null);
    rated.sort((a, b) => (a.ratedAt! < b.ratedAt! ? 1 : -1));
    return {
      by,
      groups: [...groups.entries()]
        .map(([key, g]) => summarise(key, g.label, g.facts))
        .sort((a, b) =>
          by === 'month' ? a.key.localeCompare(b.key) : b.cases - a.cases || a.key.localeCompare(b.key),
        ),
      total: summarise('', '', facts),
      recentRatings: rated.slice(0, RECENT).map((f) => ({
        caseNumber: f.number,
        matter: f.matterName,
        site: f.handlingSiteName,
        level: levelOfScore.get(f.score!)!,
        comment: f.comment,
        ratedAt: f.ratedAt!,
      })),
    };
  }
}

function keyOf(by: StatsDimension, f: CaseFact): [string, string] {
  switch (by) {
    case 'site':
      return [f.handlingSiteId, f.handlingSiteName];
    case 'matter':
      return [f.matterId, f.matterName];
    case 'clerk':
      return [f.clerkId ?? '', f.clerkName ?? ''];
    case 'month':
      return [f.createdAt.slice(0, 7), f.createdAt.slice(0, 7)];
  }
}

function summarise(key: string, label: string, facts: readonly CaseFact[]): StatsGroup {
  const accepted = facts.filter((f) => f.acceptedAt !== null).length;
  const rejected = facts.filter((f) => f.rejectedAt !== null).length;
  const distribution = Object.fromEntries(ratingLevels.map((l) => [l, 0])) as Record<RatingLevel, number>;
  let scoreSum = 0;
  let count = 0;
  for (const f of facts) {
    if (f.score === null) continue;
    distribution[levelOfScore.get(f.score)!] += 1;
    scoreSum += f.score;
    count += 1;
  }
  return {
    key,
    label,
    cases: facts.length,
    accepted,
    rejected,
    rejectionRate: accepted + rejected > 0 ? rejected / (accepted + rejected) : null,
    waiting: durations(facts.map((f) => span(f.createdAt, f.acceptedAt))),
    session: durations(facts.map((f) => span(f.sessionStartedAt, f.sessionEndedAt))),
    ratings: { count, average: count > 0 ? scoreSum / count : null, distribution },
  };
}

function span(from: string | null, to: string | null): number | null {
  return from !== null && to !== null ? Date.parse(to) - Date.parse(from) : null;
}

function durations(values: readonly (number | null)[]): StatsGroup['waiting'] {
  const ms = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (ms.length === 0) return null;
  const mid = Math.floor(ms.length / 2);
  const medianMs = ms.length % 2 === 1 ? ms[mid]! : (ms[mid - 1]! + ms[mid]!) / 2;
  return { count: ms.length, meanMs: ms.reduce((a, b) => a + b, 0) / ms.length, medianMs };
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}
