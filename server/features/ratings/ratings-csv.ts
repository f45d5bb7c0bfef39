// The ratings as CSV in the column layout of the provincial 好差评 system (our mapping, documented in
// README "好差评 CSV"): UTF-8 with a byte-order mark (Excel opens it as UTF-8), CRLF line ends,
// RFC 4180 quoting, times in Beijing time. A cell an applicant wrote that starts like a spreadsheet
// formula gets a leading apostrophe, so opening the export cannot run it.
import { ratingLevels, ratingScore, type RatingLevel } from '../../../protocol/http/stats.js';
import type { CaseFact } from './StatsService.js';

export const RATING_CSV_COLUMNS = [
  '办件编号',
  '事项编码',
  '事项名称',
  '办理部门',
  '主管部门',
  '受理人员',
  '申请人',
  '评价渠道',
  '评价等级',
  '评价等级名称',
  '评价内容',
  '评价时间',
] as const;

export const ratingLevelNames: Readonly<Record<RatingLevel, string>> = {
  very_satisfied: '非常满意',
  satisfied: '满意',
  basic: '基本满意',
  dissatisfied: '不满意',
  very_dissatisfied: '非常不满意',
};
const nameOfScore = new Map<number, string>(ratingLevels.map((l) => [ratingScore[l], ratingLevelNames[l]]));

export function ratingsCsv(facts: readonly CaseFact[]): string {
  const rows = facts
    .filter((f) => f.score !== null && f.ratedAt !== null)
    .map((f) => [
      f.number,
      f.matterId,
      f.matterName,
      f.handlingSiteName,
      f.department,
      f.clerkName ?? '',
      maskName(f.applicantName),
      f.channel ?? '',
      String(f.score),
      nameOfScore.get(f.score!) ?? '',
      f.comment ?? '',
      beijingTime(f.ratedAt!),
    ]);
  return `\uFEFF${[[...RATING_CSV_COLUMNS], ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** 韦满港 → 韦*港, 张三 → 张*: the export leaves the audit office, the full name need not. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** `YYYY-MM-DD HH:mm:ss` in UTC+8, the 好差评 systems' time format. */
export function beijingTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
