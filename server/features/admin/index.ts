// The admin feature's public surface: accounts, sites, partnerships and certificates (HTTP only).
export { certificateRoutes } from './certificate-routes.js';
export { adminRoutes } from './routes.js';
