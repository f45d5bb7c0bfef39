// The real CMS and PDF checks behind the evidence verifier (signing/'s verifiers).
import { verifyDetachedCms } from '../../../signing/cms/verify-detached-cms.js';
import { verifyPdf } from '../../../signing/verify/verify-pdf.js';
import type { EvidenceChecks } from './verify-package.js';

export const evidenceChecks: EvidenceChecks = {
  async verifyCms(content, cms, trust) {
    const r = verifyDetachedCms(content, cms, trust);
    return r.valid ? { valid: true } : { valid: false, problem: r.problems.join('; ') || 'seal does not verify' };
  },
  async verifyPdf(pdf, trust) {
    const report = verifyPdf(pdf, trust);
    if (report.valid) return { valid: true };
    const bad = report.signatures
      .filter((s) => s.problems.length > 0)
      .map((s) => `${s.field}: ${s.problems.join(', ')}`);
    return { valid: false, problem: bad.join('; ') || 'the PDF has no valid signature' };
  },
};
