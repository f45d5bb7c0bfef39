// `tongban sign`: PAdES-signs a PDF with a user's PIN-protected key from the platform PKI, as an
// incremental update. The output appears atomically (temp file + rename) or not at all.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { PADES_LEVELS, signPdf, type PadesLevel, type SignatureAppearance } from '../../../signing/index.js';
import type { CertificateInfo } from '../../kernel/pki/types.js';
import { openPlatformPki } from '../../kernel/pki/open-platform-pki.js';
import { cliConfig } from '../cli-config.js';
import { databaseExists, databaseLocation, openDatabase } from '../../kernel/store/open-database.js';
import { CliError, parseOptions, resolveDataDir, type Command } from '../command.js';
import { asCliError, maxPdfBytes, readInputFile } from './pdf-input.js';

const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const ROLE_LABELS: Record<string, string> = {
  clerk: '窗口工作人员',
  official: '经办人员',
  auditor: '审计人员',
  admin: '管理员',
};

const visibleSchema = z
  .string()
  .regex(
    /^(\d+):(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/,
    'use --visible PAGE:X,Y,W,H (points)',
  )
  .transform((s) => {
    const [page, x, y, w, h] = s.split(/[:,]/).map(Number) as [number, number, number, number, number];
    return { page, rect: [x, y, w, h] as [number, number, number, number] };
  })
  .refine((v) => v.page >= 1 && v.rect[2] > 0 && v.rect[3] > 0, 'page starts at 1; width and height must be positive');

function parseOrFail<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, option: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new CliError(`--${option}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

function dnValue(subject: string, key: string): string | undefined {
  return new RegExp(`(?:^|,\\s*)${key}=([^,]+)`).exec(subject)?.[1]?.trim();
}

function shanghaiTime(d: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d);
  return `${parts.replace(',', '')} (UTC+8)`;
}

function writeAtomically(path: string, bytes: Uint8Array): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, bytes, { flag: 'wx' });
    renameSync(temp, path);
  } catch {
    rmSync(temp, { force: true });
    throw new CliError(`cannot write ${path}`);
  }
}

export const sign: Command = {
  name: 'sign',
  usage:
    'sign --in IN.pdf --out OUT.pdf --user ID [--pin PIN, else TONGBAN_PIN] [--reason R] [--location L] [--visible PAGE:X,Y,W,H] [--image PNG] [--level B-B|B-T|B-LT|B-LTA] [--data DIR]',
  async run(args) {
    const { values } = parseOptions(args, {
      in: { type: 'string' },
      out: { type: 'string' },
      user: { type: 'string' },
      pin: { type: 'string' },
      reason: { type: 'string' },
      location: { type: 'string' },
      visible: { type: 'string' },
      image: { type: 'string' },
      level: { type: 'string' },
      data: { type: 'string' },
    });
    // TONGBAN_PIN keeps the PIN out of shell history and ps.
    const pin = values.pin ?? (process.env.TONGBAN_PIN || undefined);
    if (!values.in || !values.out || !values.user || pin === undefined)
      throw new CliError(
        'usage: tongban sign --in IN.pdf --out OUT.pdf --user ID [--pin PIN, else TONGBAN_PIN] [options]',
      );
    const level: PadesLevel = parseOrFail(
      z.enum(PADES_LEVELS as [PadesLevel, ...PadesLevel[]]),
      values.level ?? 'B-T',
      'level',
    );
    const visible = values.visible === undefined ? undefined : parseOrFail(visibleSchema, values.visible, 'visible');
    if (values.image && !visible) throw new CliError('--image needs --visible');
    const text = parseOrFail(z.string().max(200).optional(), values.reason, 'reason');
    const location = parseOrFail(z.string().max(200).optional(), values.location, 'location');
    const limit = maxPdfBytes();
    const input = readInputFile(values.in, limit);
    const image = values.image ? readInputFile(values.image, MAX_IMAGE_BYTES, 'image') : undefined;
    if (visible && !existsSync(CJK_FONT))
      throw new CliError(`the CJK font ${CJK_FONT} is missing (install fonts-noto-cjk)`);

    const dataDir = resolveDataDir(values.data);
    const config = cliConfig(dataDir);
    if (!databaseExists(config))
      throw new CliError(`no database at ${databaseLocation(config)} (run tongban pki init, or use --data DIR)`);
    const db = await openDatabase(config);
    let unlocked: Promise<unknown> | undefined;
    try {
      const pki = openPlatformPki(config, db);
      if (!(await pki.isInitialised()))
        throw new CliError('the platform PKI is not initialised (run tongban pki init)');
      // The PIN is checked in the thread pool while the document is prepared; sign() waits for it.
      const pending = await pki.userSignerWhileUnlocking(values.user, pin);
      unlocked = pending.unlocked;
      const { signer } = pending;
      const info: CertificateInfo | undefined = (await pki.certificates({ userId: values.user })).find(
        (c) => c.status === 'valid',
      );
      const signerName = info ? (dnValue(info.subject, 'CN') ?? values.user) : values.user;
      const now = new Date();
      const appearance: SignatureAppearance | undefined = visible
        ? {
            page: visible.page,
            rect: visible.rect,
            font: new Uint8Array(readFileSync(CJK_FONT)),
            image,
            texts: {
              name: signerName,
              role: info?.role ? (ROLE_LABELS[info.role] ?? info.role) : undefined,
              site: info ? dnValue(info.subject, 'O') : undefined,
              time: shanghaiTime(now),
              reason: text,
            },
          }
        : undefined;
      const signed = await signPdf(input, {
        signer,
        timeStamper: level === 'B-B' ? undefined : pki.timeStamper(),
        level,
        signingTime: now,
        name: signerName,
        reason: text,
        location,
        appearance,
        maxBytes: limit,
        // Only the long-term levels embed validation material (and only they need fresh CRLs).
        validation:
          level === 'B-LT' || level === 'B-LTA'
            ? {
                certificates: [...(await pki.trustAnchors()), ...(await pki.caCertificates())],
                crls: (await pki.crls()).map((c) => c.der),
              }
            : undefined,
      });
      writeAtomically(values.out, signed);
      process.stdout.write(`signed ${values.out} (${level}, ${signerName})\n`);
      return 0;
    } catch (err) {
      throw asCliError(err, values.in);
    } finally {
      // A wrong PIN is recorded even when the document failed first.
      await unlocked?.catch(() => undefined);
      await db.close();
    }
  },
};
