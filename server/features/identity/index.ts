// The identity feature's public surface: flow A (远程身份核验).
export { IdentityService, type Snapshot } from './IdentityService.js';
export { renderIdentityDocument } from './render-identity-document.js';
export { identityRoutes } from './routes.js';
export { IdCheckService } from './IdCheckService.js';
export { idCheckCharacter } from './id-card/id-number.js';
export { idCheckRoutes } from './id-check-routes.js';
