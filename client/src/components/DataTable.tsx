// A plain table with column headers; an empty header string is an actions column, named for
// screen readers only.
import type { ReactNode } from 'react';
import type { Site } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';

export function DataTable({
  headers,
  compact,
  children,
}: {
  headers: readonly string[];
  compact?: boolean;
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className="table-wrap">
      <table className={compact ? 'compact' : undefined}>
        <thead>
          <tr>
            {headers.map((h, i) => (
              <th scope="col" key={i}>
                {h || <span className="sr-only">{t('admin.actions')}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The options of a site picker, in the page's language, after a first "none/any" option. */
export function SiteOptions({ sites, none }: { sites: readonly Site[]; none: string }) {
  const { lang } = useI18n();
  return (
    <>
      <option value="">{none}</option>
      {sites.map((s) => (
        <option key={s.id} value={s.id}>
          {lang === 'zh' ? s.name : s.nameEn}
        </option>
      ))}
    </>
  );
}
