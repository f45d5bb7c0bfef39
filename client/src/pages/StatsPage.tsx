// The statistics dashboard for admins and auditors (issue 16 §6): filters, headline figures for the
// selection, two charts (volume with mean wait; the 好差评 distribution), the breakdown table, the
// latest ratings and the 好差评 CSV export of the same selection.
import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../api/http.js';
import type { Matter, Site } from '../api/types.js';
import { ErrorAlert, Loading } from '../components/Alert.js';
import { AppShell } from '../components/AppShell.js';
import { DataTable, SiteOptions } from '../components/DataTable.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime } from '../format.js';
import { useI18n, type Translate } from '../i18n/i18n.js';
import { EChart, type ChartOption } from '../stats/EChart.js';
import type { StatsGroup, StatsReport } from '../../../protocol/http/stats.js';
import { ratingLevels, statsDimensions, type StatsDimension } from '../../../protocol/ratings.js';

const empty = { by: 'month' as StatsDimension, from: '', to: '', site: '', matter: '', clerk: '' };
type Filters = typeof empty;
// Red to green, worst to best, in the order of ratingLevels (best first).
const levelColours = ['#2e7d32', '#7cb342', '#fbc02d', '#f57c00', '#c62828'];

function queryOf(f: Filters, withBy: boolean): string {
  const p = new URLSearchParams();
  if (withBy) p.set('by', f.by);
  for (const k of ['from', 'to', 'site', 'matter', 'clerk'] as const) if (f[k].trim()) p.set(k, f[k].trim());
  return p.toString();
}

const minutes = (ms: number | undefined, t: Translate) =>
  ms === undefined ? '—' : t('stats.minutes', { n: (ms / 60_000).toFixed(1) });
const percent = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

export function StatsPage() {
  const { t, lang } = useI18n();
  const [form, setForm] = useState<Filters>(empty);
  const [filters, setFilters] = useState<Filters>(empty);
  const sites = useAsync((signal) => api<{ sites: Site[] }>('/api/sites', { signal }), []);
  const matters = useAsync((signal) => api<{ matters: Matter[] }>('/api/matters', { signal }), []);
  const report = useAsync((signal) => api<StatsReport>(`/api/stats?${queryOf(filters, true)}`, { signal }), [filters]);
  const field = (k: keyof Filters) => ({
    value: form[k],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ ...form });
  };
  const data = report.data;
  const label = (g: StatsGroup) => (g.key === '' ? t('stats.unassigned') : g.label);
  const charts = useMemo(() => (data ? chartOptions(data, t, label) : null), [data, lang]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <AppShell wide>
      <div className="page-title">
        <h1>{t('stats.title')}</h1>
        <a
          className="button-link"
          href={`/api/stats/ratings.csv?${queryOf(filters, false)}`}
          download
          data-testid="stats-export"
        >
          {t('stats.export')}
        </a>
      </div>
      <section className="card">
        <form className="search-form" onSubmit={submit} role="search" aria-label={t('stats.title')}>
          <label>
            {t('stats.by')}
            <select {...field('by')} data-testid="stats-by">
              {statsDimensions.map((d) => (
                <option key={d} value={d}>
                  {t(`stats.by.${d}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('stats.from')}
            <input type="date" {...field('from')} />
          </label>
          <label>
            {t('stats.to')}
            <input type="date" {...field('to')} />
          </label>
          <label>
            {t('stats.site')}
            <select {...field('site')}>
              <SiteOptions sites={sites.data?.sites ?? []} none={t('stats.anySite')} />
            </select>
          </label>
          <label>
            {t('stats.matter')}
            <select {...field('matter')} data-testid="stats-matter">
              <option value="">{t('stats.anyMatter')}</option>
              {(matters.data?.matters ?? []).map((m) => (
                <option key={m.id} value={m.id}>
                  {lang === 'zh' ? m.name : m.nameEn}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('stats.clerk')}
            <input {...field('clerk')} placeholder={t('stats.clerkHint')} />
          </label>
          <button type="submit" className="primary" data-testid="stats-apply">
            {t('stats.apply')}
          </button>
        </form>
      </section>
      <ErrorAlert error={report.error} />
      {report.loading && !data && <Loading />}
      {data && data.total.cases === 0 && <p className="muted">{t('stats.none')}</p>}
      {data && data.total.cases > 0 && charts && (
        <>
          <section className="card stats-tiles" aria-label={t('stats.title')} data-testid="stats-total">
            <Tile name={t('stats.cases')} value={String(data.total.cases)} />
            <Tile name={t('stats.rejectionRate')} value={percent(data.total.rejectionRate)} />
            <Tile name={t('stats.waiting')} value={minutes(data.total.waiting?.meanMs, t)} />
            <Tile name={t('stats.session')} value={minutes(data.total.session?.meanMs, t)} />
            <Tile name={t('stats.ratings')} value={String(data.total.ratings.count)} testId="stats-rating-count" />
            <Tile name={t('stats.average')} value={data.total.ratings.average?.toFixed(2) ?? '—'} />
          </section>
          <div className="stats-charts">
            <section className="card">
              <h2>{t('stats.volumeChart')}</h2>
              <EChart option={charts.volume} label={t('stats.volumeChart')} testId="chart-volume" />
            </section>
            <section className="card">
              <h2>{t('stats.ratingsChart')}</h2>
              <EChart option={charts.ratings} label={t('stats.ratingsChart')} testId="chart-ratings" />
            </section>
          </div>
          <section className="card">
            <h2>{t('stats.breakdown')}</h2>
            <DataTable
              compact
              headers={[
                t('stats.group'),
                t('stats.cases'),
                t('stats.rejectionRate'),
                t('stats.waiting'),
                t('stats.session'),
                t('stats.ratings'),
                t('stats.average'),
                ...ratingLevels.map((l) => t(`rating.level.${l}`)),
              ]}
            >
              {data.groups.map((g) => (
                <tr key={g.key} data-testid="stats-row" data-key={g.key}>
                  <th scope="row">{label(g)}</th>
                  <td>{g.cases}</td>
                  <td>{percent(g.rejectionRate)}</td>
                  <td>{minutes(g.waiting?.meanMs, t)}</td>
                  <td>{minutes(g.session?.meanMs, t)}</td>
                  <td>{g.ratings.count}</td>
                  <td>{g.ratings.average?.toFixed(2) ?? '—'}</td>
                  {ratingLevels.map((l) => (
                    <td key={l}>{g.ratings.distribution[l]}</td>
                  ))}
                </tr>
              ))}
            </DataTable>
          </section>
          <section className="card">
            <h2>{t('stats.recent')}</h2>
            <DataTable
              compact
              headers={[
                t('stats.number'),
                t('stats.matterCol'),
                t('stats.siteCol'),
                t('stats.level'),
                t('stats.comment'),
                t('stats.ratedAt'),
              ]}
            >
              {data.recentRatings.map((r) => (
                <tr key={r.caseNumber} data-testid="recent-rating" data-number={r.caseNumber}>
                  <td className="mono">{r.caseNumber}</td>
                  <td>{r.matter}</td>
                  <td>{r.site}</td>
                  <td>{t(`rating.level.${r.level}`)}</td>
                  <td>{r.comment ?? '—'}</td>
                  <td>{formatTime(r.ratedAt, lang)}</td>
                </tr>
              ))}
            </DataTable>
          </section>
        </>
      )}
    </AppShell>
  );
}

function Tile({ name, value, testId }: { name: string; value: string; testId?: string }) {
  return (
    <div className="stats-tile">
      <span className="muted">{name}</span>
      <strong data-testid={testId}>{value}</strong>
    </div>
  );
}

function chartOptions(
  data: StatsReport,
  t: Translate,
  label: (g: StatsGroup) => string,
): { volume: ChartOption; ratings: ChartOption } {
  const names = data.groups.map(label);
  const category = { type: 'category' as const, data: names, axisLabel: { interval: 0, hideOverlap: true } };
  const grid = { left: 48, right: 48, top: 40, bottom: 40, containLabel: true };
  return {
    volume: {
      grid,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: category,
      yAxis: [
        { type: 'value', name: t('stats.cases'), minInterval: 1 },
        { type: 'value', name: t('stats.minutesAxis') },
      ],
      series: [
        { type: 'bar', name: t('stats.cases'), data: data.groups.map((g) => g.cases), color: '#1565c0' },
        {
          type: 'line',
          name: t('stats.waiting'),
          yAxisIndex: 1,
          data: data.groups.map((g) => (g.waiting ? +(g.waiting.meanMs / 60_000).toFixed(1) : null)),
          color: '#ef6c00',
        },
      ],
    },
    ratings: {
      grid,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: category,
      yAxis: { type: 'value', name: t('stats.ratings'), minInterval: 1 },
      series: ratingLevels.map((l, i) => ({
        type: 'bar' as const,
        stack: 'ratings',
        name: t(`rating.level.${l}`),
        data: data.groups.map((g) => g.ratings.distribution[l]),
        color: levelColours[i],
      })),
    },
  };
}
