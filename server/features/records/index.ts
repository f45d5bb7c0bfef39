// The records feature's public surface: flow C (审计调阅) — archiving, search, hold and deletion.
export { RecordService, type RecordParts } from './RecordService.js';
export { recordRoutes } from './routes.js';
export { LtvRenewer } from './ltv-renewal.js';
export { retentionRoutes } from './retention-routes.js';
export { RecordVerifications, CSV_COLUMNS } from './RecordVerifications.js';
export { buildTimeline, ID_WINDOW_MARGIN_MS, redactionWindows, type VideoWindow } from './timeline.js';
