// The audit feature's public surface: the audit log over HTTP (the log itself is in the kernel).
export { auditRoutes } from './routes.js';
