// The pki feature's public surface: the platform root, CRLs and the TSA over HTTP.
export { pkiRoutes } from './routes.js';
