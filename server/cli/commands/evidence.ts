// `tongban evidence export RECORD_ID --out FILE.zip [--data DIR]` builds a record's evidence
// package from a data directory (the server may be running: SQLite WAL); `tongban evidence verify
// FILE.zip [--trust PEM]...` checks one offline against the trust anchors the verifier brings (the
// --trust files, else the data directory's root), never the package's own chain. Exit 0 only
// when everything holds; each bad file is named.
import { createWriteStream, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { fromPem } from '../../../certs/encoding.js';
import { createApp } from '../../app/create-app.js';
import { AppError } from '../../kernel/errors.js';
import { evidenceChecks } from '../../features/evidence/index.js';
import { verifyEvidencePackage } from '../../features/evidence/index.js';
import { defaultZipLimits } from '../../features/evidence/index.js';
import { openPlatformPki } from '../../kernel/pki/open-platform-pki.js';
import { cliConfig } from '../cli-config.js';
import { databaseExists, openDatabase } from '../../kernel/store/open-database.js';
import { CliError, parseOptions, resolveDataDir, type Command } from '../command.js';

export const evidenceExport: Command = {
  group: 'evidence',
  name: 'export',
  usage: "evidence export RECORD_ID --out FILE.zip [--data DIR]   write a record's evidence package",
  async run(args) {
    const { values, positionals } = parseOptions(args, { out: { type: 'string' }, data: { type: 'string' } }, true);
    const [recordId, extra] = positionals;
    if (!recordId || extra !== undefined || !values.out)
      throw new CliError('usage: tongban evidence export RECORD_ID --out FILE.zip [--data DIR]');
    const dataDir = resolveDataDir(values.data);
    const config = cliConfig(dataDir);
    if (!databaseExists(config)) throw new CliError(`no Tongban data in ${dataDir} (use --data DIR)`);
    // The app's services without its server: nothing listens, nothing is started.
    const app = await createApp({ config, log: () => undefined });
    const tmp = `${values.out}.part`;
    try {
      const pkg = await app.services.evidence.prepare(recordId, 'system:cli');
      await pipeline(pkg.zip(), createWriteStream(tmp, { flags: 'wx' }));
      renameSync(tmp, values.out);
      process.stdout.write(
        `${values.out}: evidence package of record ${recordId}, ${pkg.fileCount} files, ${statSync(values.out).size} bytes\n`,
      );
      return 0;
    } catch (err) {
      rmSync(tmp, { force: true });
      if (err instanceof AppError) throw new CliError(err.message);
      throw err;
    } finally {
      await app.stop();
    }
  },
};

async function trustAnchors(trustFiles: readonly string[], dataDir: string): Promise<Uint8Array[]> {
  if (trustFiles.length) {
    return trustFiles.flatMap((path) => {
      let certs: Uint8Array[];
      try {
        certs = fromPem(readFileSync(path, 'latin1'));
      } catch {
        throw new CliError(`cannot read trust file ${path}`);
      }
      if (!certs.length) throw new CliError(`${path} holds no PEM certificate`);
      return certs;
    });
  }
  const config = cliConfig(dataDir);
  if (databaseExists(config)) {
    const db = await openDatabase(config);
    try {
      const pki = openPlatformPki(config, db);
      if (await pki.isInitialised()) return await pki.trustAnchors();
    } finally {
      await db.close();
    }
  }
  throw new CliError('no trust anchor: pass --trust ROOT.pem (or --data DIR of the issuing platform)');
}

export const evidenceVerify: Command = {
  group: 'evidence',
  name: 'verify',
  usage: 'evidence verify FILE.zip [--trust PEM]... [--data DIR] [--json]   check an evidence package offline',
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      { trust: { type: 'string', multiple: true }, data: { type: 'string' }, json: { type: 'boolean' } },
      true,
    );
    const [file, extra] = positionals;
    if (!file || extra !== undefined)
      throw new CliError('usage: tongban evidence verify FILE.zip [--trust PEM]... [--data DIR] [--json]');
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new CliError(`cannot read ${file}`);
    }
    if (size > defaultZipLimits.maxTotalBytes)
      throw new CliError(`${file} is larger than ${defaultZipLimits.maxTotalBytes} bytes`);
    const anchors = await trustAnchors(values.trust ?? [], resolveDataDir(values.data));
    const report = await verifyEvidencePackage({ path: file }, anchors, evidenceChecks);
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ valid: report.valid, problems: report.problems, checked: report.checked }, null, 2)}\n`,
      );
    } else {
      const record = report.manifest?.record;
      const lines = [
        `${file}: ${record ? `record ${record.number} (${record.kind}) ${record.title}` : 'unidentified package'}`,
        ...report.checked.map((c) => `ok   ${c}`),
        ...report.problems.map((p) => `BAD  ${p.file}: ${p.message}`),
        report.valid ? 'VALID' : 'NOT VALID',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return report.valid ? 0 : 1;
  },
};
