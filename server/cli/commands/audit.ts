// `tongban audit verify`: walks the hash-chained audit log and the sealed checkpoints of a data
// directory (the server may be running: SQLite WAL allows a concurrent reader). Exit 0 only if
// everything holds; otherwise names the first bad entry or checkpoint.
import { FileAuditAnchor } from '../../kernel/audit/AuditAnchor.js';
import { auditAnchorFile } from '../../kernel/config.js';
import { platformSealer } from '../../kernel/audit/platform-sealer.js';
import { verifyAuditLog } from '../../kernel/audit/verify-audit.js';
import { openPlatformPki } from '../../kernel/pki/open-platform-pki.js';
import { cliConfig } from '../cli-config.js';
import { databaseExists, databaseLocation, openDatabase } from '../../kernel/store/open-database.js';
import { CliError, parseOptions, resolveDataDir, type Command } from '../command.js';

export const auditVerify: Command = {
  group: 'audit',
  name: 'verify',
  usage: 'audit verify [--data DIR] [--json]          walk the audit chain, its checkpoints and the anchor',
  async run(args) {
    const { values } = parseOptions(args, { data: { type: 'string' }, json: { type: 'boolean' } });
    const dataDir = resolveDataDir(values.data);
    const config = cliConfig(dataDir);
    if (!databaseExists(config))
      throw new CliError(`no Tongban data in ${dataDir} (missing ${databaseLocation(config)})`);
    const db = await openDatabase(config);
    try {
      const pki = openPlatformPki(config, db);
      const result = await verifyAuditLog(db, {
        sealer: (await pki.isInitialised()) ? platformSealer(pki) : undefined,
        anchor: new FileAuditAnchor(auditAnchorFile(config)),
        maxUnanchoredMs: config.limits.auditMaxUnanchoredMs,
      });
      if (values.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        const head = result.head ? `head #${result.head.id} ${result.head.hash.slice(0, 16)}…` : 'no head';
        process.stdout.write(
          `audit log: ${result.entries} entries checked, ${head}; ${result.checkpoints.count} sealed checkpoints, ${result.checkpoints.sealsVerified} seals and time-stamps verified; anchor ${result.anchor?.location} holds ${result.anchor?.heads} heads\n`,
        );
        const p = result.firstProblem;
        process.stdout.write(
          p
            ? `FAILED: first bad ${p.kind} #${p.id}: ${p.problem}\n`
            : 'OK: the chain, every checkpoint and the anchor hold\n',
        );
      }
      return result.valid ? 0 : 1;
    } finally {
      await db.close();
    }
  },
};
