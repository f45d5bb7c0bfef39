// The verify feature's public surface: the public /verify page's checks (issue 16 §1).
export { PublicVerification, revisionHashes } from './PublicVerification.js';
export { verifyRoutes } from './routes.js';
