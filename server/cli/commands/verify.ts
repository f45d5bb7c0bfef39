// `tongban verify FILE.pdf [--trust PEM]... [--json] [--data DIR]`: verifies every signature and
// document timestamp. Trust: our root from the data dir (when there is one) plus each --trust.
// Exit 0 only when every signature is intact, trusted, unrevoked and unmodified; 1 otherwise;
// 2 for bad input.
import { existsSync, readFileSync } from 'node:fs';
import { fromPem } from '../../../certs/encoding.js';
import { reportJson, verifyPdf, type SignatureReport, type VerificationReport } from '../../../signing/index.js';
import { openPlatformPki } from '../../kernel/pki/open-platform-pki.js';
import { cliConfig } from '../cli-config.js';
import { Database } from '../../kernel/store/Database.js';
import { databaseFile } from '../../kernel/store/paths.js';
import { CliError, parseOptions, resolveDataDir, type Command } from '../command.js';
import { asCliError, maxPdfBytes, readInputFile } from './pdf-input.js';

interface TrustMaterial {
  trustAnchors: Uint8Array[];
  intermediates: Uint8Array[];
  crls: Uint8Array[];
}

function platformMaterial(dataDir: string): TrustMaterial {
  const dbFile = databaseFile(dataDir);
  if (!existsSync(dbFile)) return { trustAnchors: [], intermediates: [], crls: [] };
  const db = Database.open(dbFile);
  try {
    const pki = openPlatformPki(cliConfig(dataDir), db);
    if (!pki.isInitialised()) return { trustAnchors: [], intermediates: [], crls: [] };
    return {
      trustAnchors: pki.trustAnchors(),
      intermediates: pki.caCertificates(),
      crls: pki.crls().map((c) => c.der),
    };
  } finally {
    db.close();
  }
}

function trustFile(path: string): Uint8Array[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    throw new CliError(`cannot read trust file ${path}`);
  }
  const certs = fromPem(text);
  if (!certs.length) throw new CliError(`${path} holds no PEM certificate`);
  return certs;
}

function line(s: SignatureReport): string {
  const who = s.signer ? `${s.signer.name} (serial ${s.signer.serial}, issuer ${s.signer.issuer})` : 'unknown signer';
  const ok = s.intact && s.trusted && !s.revoked && !s.modifiedAfter;
  const facts = [
    s.intact ? 'intact' : 'NOT INTACT',
    s.trusted ? 'trusted' : 'NOT TRUSTED',
    s.revoked ? 'REVOKED' : 'not revoked',
    s.level,
    s.timestamp ? `timestamp ${s.timestamp.time}${s.timestamp.valid ? '' : ' (INVALID)'}` : 'no timestamp',
    s.coversWholeDocument ? 'covers the whole document' : 'followed by later updates',
    s.modifiedAfter ? 'MODIFIED AFTER SIGNING' : 'no changes after signing',
  ];
  const why = ok || !s.problems.length ? '' : ` [${s.problems.join('; ')}]`;
  return `${ok ? 'OK ' : 'BAD'} ${s.field}: ${who}: ${facts.join(', ')}${why}`;
}

function human(r: VerificationReport): string {
  const lines = r.signatures.map(line);
  if (!r.signatures.length) lines.push('no signatures');
  lines.push(r.valid ? 'VALID' : 'NOT VALID');
  return `${lines.join('\n')}\n`;
}

export const verify: Command = {
  name: 'verify',
  usage:
    'verify FILE.pdf [--trust PEM]... [--json] [--data DIR]   check every signature (exit 0 only if all are valid)',
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      { trust: { type: 'string', multiple: true }, json: { type: 'boolean' }, data: { type: 'string' } },
      true,
    );
    const [file, extra] = positionals;
    if (!file || extra !== undefined)
      throw new CliError('usage: tongban verify FILE.pdf [--trust PEM]... [--json] [--data DIR]');
    const limit = maxPdfBytes();
    const pdf = readInputFile(file, limit);
    const extraAnchors = (values.trust ?? []).flatMap(trustFile);
    const platform = platformMaterial(resolveDataDir(values.data));
    let report: VerificationReport;
    try {
      report = verifyPdf(pdf, {
        trustAnchors: [...platform.trustAnchors, ...extraAnchors],
        intermediates: platform.intermediates,
        crls: platform.crls,
        maxBytes: limit,
      });
    } catch (err) {
      throw asCliError(err, file);
    }
    process.stdout.write(values.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : human(report));
    return report.valid ? 0 : 1;
  },
};
