// The ceremony feature's public surface: flow B (远程云签约).
export { CeremonyService, type CeremonyState } from './CeremonyService.js';
export { ceremonyFor, ceremonyRoutes } from './routes.js';
export { ceremonySockets } from './socket.js';
