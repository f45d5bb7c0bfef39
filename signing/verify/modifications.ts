// Was anything changed after a signature beyond what later signing is allowed to change? Each
// later incremental update is compared object by object with the revision before it: new
// objects only matter through the existing objects that reference them, so every changed
// existing object must be one of: the catalog (only /AcroForm, /DSS, /Extensions), a page (only
// /Annots, adding signature widgets), the form dictionary (adding signature fields), an /Annots
// array (adding widgets), a signature field receiving its first value, DSS and container streams.
import { isDict, isName, PdfRef, PdfStream, type PdfDict, type PdfValue } from '../pdf/objects.js';
import type { PdfReader } from '../pdf/PdfReader.js';
import { serialize } from '../pdf/serialize.js';

export interface ChangePolicy {
  /** False under DocMDP P=1: later signatures are changes too (document timestamps never are). */
  readonly allowSignatures: boolean;
}

const same = (a: PdfValue | undefined, b: PdfValue | undefined): boolean =>
  serialize(a ?? null).equals(serialize(b ?? null));

function changedKeys(a: PdfDict, b: PdfDict): Set<string> {
  const keys = new Set<string>();
  for (const k of new Set([...a.keys(), ...b.keys()])) if (!same(a.get(k), b.get(k))) keys.add(k);
  return keys;
}

class RevisionComparison {
  constructor(
    private readonly reader: PdfReader,
    /** Index of the newer section; the older revision is `at + 1`. */
    private readonly at: number,
    private readonly policy: ChangePolicy,
  ) {}

  /** A widget/field whose signature value is allowed to be added by this policy. */
  private isAllowedSignatureWidget(v: PdfValue): boolean {
    const d = this.reader.dict(v, this.at);
    if (!d) return false;
    const parent = this.reader.dict(d.get('Parent'), this.at);
    if (!isName(d.get('FT') ?? parent?.get('FT'), 'Sig')) return false;
    if (this.policy.allowSignatures) return true;
    const value = this.reader.dict(d.get('V') ?? parent?.get('V'), this.at);
    return !!value && isName(value.get('Type'), 'DocTimeStamp');
  }

  /** `after` keeps every item of `before` and adds only allowed signature widgets/fields. */
  private onlyAddsSignatures(before: PdfValue | undefined, after: PdfValue | undefined): boolean {
    const b = this.reader.resolve(before ?? null, this.at + 1);
    const a = this.reader.resolve(after ?? null, this.at);
    const oldItems = Array.isArray(b) ? b : [];
    const newItems = Array.isArray(a) ? a : [];
    const remaining = newItems.map((v) => serialize(v).toString('latin1'));
    for (const item of oldItems) {
      const i = remaining.indexOf(serialize(item).toString('latin1'));
      if (i < 0) return false;
      remaining.splice(i, 1);
    }
    return newItems
      .filter((v) => remaining.includes(serialize(v).toString('latin1')))
      .every((v) => this.isAllowedSignatureWidget(v));
  }

  private formChangeAllowed(before: PdfDict, after: PdfDict): boolean {
    for (const k of changedKeys(before, after)) {
      if (k === 'Fields') {
        if (!this.onlyAddsSignatures(before.get(k), after.get(k))) return false;
      } else if (!['SigFlags', 'DR', 'DA', 'NeedAppearances'].includes(k)) return false;
    }
    return true;
  }

  allowed(num: number, before: PdfValue, after: PdfValue, rootNum: number): boolean {
    if (same(before, after)) return true;
    if (
      after instanceof PdfStream &&
      (isName(after.dict.get('Type'), 'XRef') || isName(after.dict.get('Type'), 'ObjStm'))
    )
      return true;
    if (Array.isArray(before) && Array.isArray(after)) return this.onlyAddsSignatures(before, after);
    if (!isDict(before) || !isDict(after)) return false;
    const changed = changedKeys(before, after);
    if (num === rootNum) {
      for (const k of changed) {
        if (k === 'AcroForm') {
          const b = this.reader.dict(before.get(k), this.at + 1) ?? new Map();
          const a = this.reader.dict(after.get(k), this.at) ?? new Map();
          if (!this.formChangeAllowed(b, a)) return false;
        } else if (!['DSS', 'Extensions'].includes(k)) return false;
      }
      return true;
    }
    if (isName(before.get('Type'), 'Page'))
      return [...changed].every((k) => k === 'Annots' && this.onlyAddsSignatures(before.get(k), after.get(k)));
    if (before.has('Fields')) return this.formChangeAllowed(before, after);
    if (isName(before.get('Type'), 'DSS')) return true;
    if (isName(before.get('FT'), 'Sig') && !before.has('V'))
      return (
        [...changed].every((k) => ['V', 'AP', 'F', 'MK', 'Lock', 'SV'].includes(k)) &&
        this.isAllowedSignatureWidget(new PdfRef(num, 0))
      );
    // The widget kid of an empty signature field that is being signed: only its look may change.
    const parentBefore = this.reader.dict(before.get('Parent'), this.at + 1);
    if (isName(before.get('Subtype'), 'Widget') && isName(parentBefore?.get('FT'), 'Sig') && !parentBefore?.has('V')) {
      return (
        [...changed].every((k) => ['AP', 'F', 'MK'].includes(k)) && this.isAllowedSignatureWidget(before.get('Parent')!)
      );
    }
    return false;
  }
}

/** True when an update after `revisionEnd` changed more than signing may change. */
export function modifiedAfter(reader: PdfReader, revisionEnd: number, policy: ChangePolicy): boolean {
  const sections = reader.sections;
  for (let i = sections.length - 2; i >= 0; i--) {
    const section = sections[i]!;
    if (section.offset < revisionEnd) continue;
    const root = section.trailer.get('Root') ?? reader.trailer.get('Root');
    const previousRoot = sections[i + 1]!.trailer.get('Root') ?? root;
    if (!(root instanceof PdfRef) || !same(root, previousRoot)) return true;
    const comparison = new RevisionComparison(reader, i, policy);
    for (const [num, entry] of section.entries) {
      const before = reader.entry(num, i + 1);
      const existed = before !== undefined && before.kind !== 'free';
      if (entry.kind === 'free') {
        if (existed) return true;
        continue;
      }
      if (!existed) continue;
      const gen = entry.kind === 'offset' ? entry.gen : 0;
      const ref = new PdfRef(num, gen);
      if (!comparison.allowed(num, reader.object(ref, i + 1), reader.object(ref, i), root.num)) return true;
    }
  }
  return false;
}
