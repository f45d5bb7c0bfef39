// The catalog feature's public surface: sites, matters and partnerships.
export { CatalogService, type Matter, type Partnership, type Site } from './CatalogService.js';
export { catalogRoutes, catalogSchemas } from './routes.js';
