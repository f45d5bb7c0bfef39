// The flows' policy actions (server/auth/policy.ts). Role checks here; the finer checks (whose turn,
// which clerk handles the case, who hosts) live in the flow services.
import { definePolicy, whoOf, type PolicyResource } from './policy.js';
import type { Principal } from './principal.js';

const siteOf = (p: Principal): string | null => (p.kind === 'user' ? p.siteId : null);
const handlingSite = (p: Principal, r: PolicyResource) => r.case?.handlingSite.id === siteOf(p);
const participantUnlessReviewer = (p: Principal, r: PolicyResource) =>
  whoOf(p) === 'auditor' || whoOf(p) === 'admin' || r.participant === true;

definePolicy('snapshot.create', { who: ['clerk'], scope: handlingSite });
definePolicy('identity.confirm', { who: ['clerk'], scope: handlingSite });
definePolicy('case.archive', { who: ['clerk'], scope: handlingSite });
definePolicy('document.read', { who: ['clerk', 'official', 'auditor', 'admin', 'guest'], scope: participantUnlessReviewer });
definePolicy('document.sign', { who: ['clerk', 'official', 'guest'], scope: (_p, r) => r.participant === true });
definePolicy('ceremony.create', { who: ['official', 'clerk'] });
definePolicy('ceremony.read', { who: ['official', 'clerk', 'auditor', 'admin'], scope: participantUnlessReviewer });
definePolicy('ceremony.sign', { who: ['official', 'clerk'], scope: (_p, r) => r.participant === true });
definePolicy('ceremony.host', { who: ['official', 'clerk'], scope: (_p, r) => r.participant === true });
definePolicy('record.read', { who: ['auditor', 'admin'] });
definePolicy('record.hold', { who: ['admin'] });
definePolicy('record.delete', { who: ['admin'] });
definePolicy('evidence.export', { who: ['auditor', 'admin'] });
