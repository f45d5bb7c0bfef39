// Checks a sealed recording as it sits in an evidence package: every segment's hash, the hash chain
// recomputed from the segments (DESIGN §6, server/features/recording/hash-chain.ts), the chain's
// genesis bound to the session, and the platform seal over manifest.json.
import { z } from 'zod';
import { genesis, nextHead } from '../recording/index.js';
import { signedMessageDigest } from './cms-digest.js';
import { sha256Hex } from './sha256sums.js';

export const RECORDING_MANIFEST = 'manifest.json';
export const RECORDING_SEAL = 'manifest.json.p7s';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const recordingManifestSchema = z.object({
  sessionId: z.string(),
  status: z.string(),
  chain: z.object({ genesis: hex64, head: hex64 }),
  segments: z.array(
    z.object({
      index: z.number().int().min(0),
      participant: z.string(),
      track: z.string(),
      file: z.string(),
      sha256: hex64,
      startMs: z.number(),
      endMs: z.number(),
      chainHash: hex64,
    }),
  ),
});

export interface RecordingCheck {
  readonly problems: { file: string; message: string }[];
  /** h_0 … h_n; only as far as the chain could be recomputed. */
  readonly links: string[];
  readonly sessionId: string | null;
}

/** The recording's folder in a package: its small files whole, and the SHA-256 of every file. */
export interface RecordingEntries {
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly digests: ReadonlyMap<string, string>;
}

export async function verifyRecordingFiles(
  { files, digests }: RecordingEntries,
  verifySeal: (content: Uint8Array, cms: Uint8Array) => Promise<{ valid: boolean; problem?: string }>,
): Promise<RecordingCheck> {
  const problems: { file: string; message: string }[] = [];
  const manifestBytes = files.get(RECORDING_MANIFEST);
  if (!manifestBytes)
    return { problems: [{ file: RECORDING_MANIFEST, message: 'missing' }], links: [], sessionId: null };
  let manifest: z.infer<typeof recordingManifestSchema>;
  try {
    const parsed = recordingManifestSchema.safeParse(JSON.parse(Buffer.from(manifestBytes).toString('utf8')));
    if (!parsed.success)
      return {
        problems: [{ file: RECORDING_MANIFEST, message: 'not a recording manifest' }],
        links: [],
        sessionId: null,
      };
    manifest = parsed.data;
  } catch {
    return { problems: [{ file: RECORDING_MANIFEST, message: 'not JSON' }], links: [], sessionId: null };
  }

  const seal = files.get(RECORDING_SEAL);
  // A manifest that is not the sealed one proves nothing about the segments: a listed SHA-256 that
  // misses its file is the manifest's fault, not the segment's.
  let manifestAltered = false;
  if (!seal) problems.push({ file: RECORDING_SEAL, message: 'missing: the recording manifest is not sealed' });
  else {
    const result = await verifySeal(manifestBytes, seal);
    const digest = signedMessageDigest(seal);
    manifestAltered = !result.valid && !!digest && digest !== sha256Hex(manifestBytes);
    if (manifestAltered) {
      problems.push({ file: RECORDING_MANIFEST, message: 'differs from the manifest the seal covers' });
    } else if (!result.valid)
      problems.push({ file: RECORDING_SEAL, message: result.problem ?? 'seal over manifest.json does not verify' });
  }

  const links = [genesis(manifest.sessionId)];
  if (manifest.chain.genesis !== links[0])
    problems.push({ file: RECORDING_MANIFEST, message: 'chain genesis is not bound to the session' });
  const listed = new Set<string>([RECORDING_MANIFEST, RECORDING_SEAL]);
  for (const [i, seg] of manifest.segments.entries()) {
    listed.add(seg.file);
    const digest = digests.get(seg.file);
    if (seg.index !== i) problems.push({ file: RECORDING_MANIFEST, message: `segment ${i} is out of order` });
    if (!digest) problems.push({ file: seg.file, message: 'segment missing' });
    else if (digest !== seg.sha256)
      problems.push(
        manifestAltered
          ? { file: RECORDING_MANIFEST, message: `lists a SHA-256 for ${seg.file} that the file does not have` }
          : { file: seg.file, message: 'segment SHA-256 differs from the manifest' },
      );
    const head = nextHead(links.at(-1)!, seg.sha256, seg);
    if (head !== seg.chainHash) problems.push({ file: RECORDING_MANIFEST, message: `chain breaks at segment ${i}` });
    links.push(head);
  }
  if (links.at(-1) !== manifest.chain.head)
    problems.push({ file: RECORDING_MANIFEST, message: 'chain head differs from the last link' });
  for (const name of digests.keys())
    if (!listed.has(name)) problems.push({ file: name, message: 'not part of the recording manifest' });
  return { problems, links, sessionId: manifest.sessionId };
}
