// The evidence feature's public surface: evidence packages, built, streamed and verified.
export { EvidenceExporter, type EvidenceJob } from './EvidenceExporter.js';
export { evidenceChecks } from './evidence-checks.js';
export { sha256Hex } from './sha256sums.js';
export { evidenceSockets } from './socket.js';
export { verifyEvidencePackage } from './verify-package.js';
export { defaultZipLimits, readZip, zipStream } from './zip.js';
export { evidenceRoutes } from './routes.js';
export { buildEvidencePackage } from './build-package.js';
export { PACKAGE_FORMAT, type PackageManifest } from './package-manifest.js';
