// `tongban record verify SESSION_ID [--data DIR] [--json]`: recomputes every segment hash and the
// chain of a session's recording and checks the manifest seal. Exit 0 valid, 1 not valid. With
// recordings in object storage (TONGBAN_S3_*) the bucket is the recording's home, as for the server:
// whatever the data directory lacks is brought back from it first, each object checked on the way.
import { CliError, parseOptions, resolveDataDir, type Command } from '../command.js';
import { openPlatformPki } from '../../kernel/pki/open-platform-pki.js';
import { cliConfig } from '../cli-config.js';
import { platformManifestSeal, RecordingService } from '../../features/recording/index.js';
import { RecordingStore } from '../../features/recording/index.js';
import { AuditLog } from '../../kernel/audit/AuditLog.js';
import { S3BlobStore } from '../../kernel/store/S3BlobStore.js';
import { verifyRecording, type RecordingVerification } from '../../features/recording/index.js';
import { databaseExists, databaseLocation, openDatabase } from '../../kernel/store/open-database.js';

export const recordVerify: Command = {
  group: 'record',
  name: 'verify',
  usage:
    'record verify SESSION_ID [--data DIR] [--json]   check a recording: segment hashes, hash chain, manifest seal',
  async run(args) {
    const { values, positionals } = parseOptions(args, { data: { type: 'string' }, json: { type: 'boolean' } }, true);
    const [sessionId, extra] = positionals;
    if (!sessionId || extra !== undefined)
      throw new CliError('usage: tongban record verify SESSION_ID [--data DIR] [--json]');
    const dataDir = resolveDataDir(values.data);
    const config = cliConfig(dataDir);
    if (!databaseExists(config)) throw new CliError(`no database at ${databaseLocation(config)} (use --data DIR)`);
    const db = await openDatabase(config);
    let blobs: S3BlobStore | undefined;
    try {
      if (config.s3) blobs = await S3BlobStore.open(config.s3, { maxBytes: config.limits.blobBytes });
      const pki = openPlatformPki(config, db);
      const sealSource = {
        trustAnchors: () => pki.trustAnchors(),
        caCertificates: () => pki.caCertificates(),
        crls: () => pki.crls(),
      };
      const seal = (await pki.isInitialised()) ? platformManifestSeal(sealSource) : undefined;
      const clock = () => new Date();
      // The server's own verification (RecordingService.verify): restore from the bucket, then check.
      const result = blobs
        ? await (
            await RecordingService.create({
              db,
              dataDir,
              clock,
              audit: new AuditLog(db, clock),
              pki: sealSource,
              blobs,
              record: false,
              warn: (message) => process.stderr.write(`${message}\n`),
            })
          ).verify(sessionId)
        : await verifyRecording({ dataDir, sessionId, store: new RecordingStore(db), seal });
      if (result.status === 'missing') throw new CliError(`no recording for session ${sessionId}`);
      process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : report(result));
      return result.valid ? 0 : 1;
    } finally {
      blobs?.close();
      await db.close();
    }
  },
};

function report(r: RecordingVerification): string {
  const lines = [
    `recording ${r.sessionId}: ${r.status}, ${r.segmentCount} segments`,
    `chain head: ${r.head ?? '(broken)'}`,
    `seal: ${r.seal.state}${r.seal.reason ? ` (${r.seal.reason})` : ''}`,
  ];
  if (r.firstBadSegment)
    lines.push(
      `first bad segment: #${r.firstBadSegment.index} ${r.firstBadSegment.file} (${r.firstBadSegment.reason})`,
    );
  for (const p of r.problems) lines.push(`problem: ${p}`);
  lines.push(r.valid ? 'VALID' : 'NOT VALID');
  return lines.join('\n') + '\n';
}
