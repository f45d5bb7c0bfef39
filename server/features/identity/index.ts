// The identity feature's public surface: flow A (远程身份核验).
export { IdentityService, type Snapshot } from './IdentityService.js';
export { renderIdentityDocument } from './render-identity-document.js';
export { identityRoutes } from './routes.js';
export { FaceEngine } from './face/FaceEngine.js';
export { FaceCheckService } from './face/FaceCheckService.js';
export { FaceCheckStore } from './face/FaceCheckStore.js';
export { faceCheckRoutes } from './face/routes.js';
export { faceCheckSockets } from './face/socket.js';
export { IdCheckService } from './IdCheckService.js';
export { idCheckCharacter } from './id-card/id-number.js';
export { idCheckRoutes } from './id-check-routes.js';
export { MaterialService } from './MaterialService.js';
export { materialRoutes } from './material-routes.js';
export { ScriptService } from './ScriptService.js';
export { scriptRoutes } from './script-routes.js';
export { scriptSockets } from './socket.js';
