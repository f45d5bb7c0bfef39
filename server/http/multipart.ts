// multipart/form-data for the few routes that take a file (snapshots, agreements): multer in
// memory with hard limits, run inside the route handler so the ApiRouter's checks come first.
import type { Request, Response } from 'express';
import multer from 'multer';
import type { z } from 'zod';
import { BadRequestError, PayloadTooLargeError } from '../kernel/errors.js';

export interface MultipartResult {
  readonly fields: Record<string, string>;
  readonly file: Buffer;
}

export async function readMultipart(
  req: Request,
  res: Response,
  o: { file: string; maxBytes: number },
): Promise<MultipartResult> {
  if (!req.is('multipart/form-data')) throw new BadRequestError('expected multipart/form-data', 'expected_multipart');
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: o.maxBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 },
  }).single(o.file);
  await new Promise<void>((resolve, reject) => {
    upload(req, res, (err: unknown) => {
      if (!err) return resolve();
      if (err instanceof multer.MulterError) {
        return reject(
          err.code === 'LIMIT_FILE_SIZE'
            ? new PayloadTooLargeError(`${o.file} larger than ${o.maxBytes} bytes`)
            : new BadRequestError(`bad upload: ${err.message}`, 'bad_upload'),
        );
      }
      reject(new BadRequestError('malformed multipart body', 'bad_upload'));
    });
  });
  const file = (req as Request & { file?: { buffer: Buffer } }).file;
  if (!file) throw new BadRequestError(`the ${o.file} file is missing`, 'file_missing');
  const fields = Object.fromEntries(
    Object.entries((req.body ?? {}) as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );
  return { fields, file: file.buffer };
}

/** Validates the text fields of a multipart body (400 naming the bad fields). */
export function parseFields<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, fields: Record<string, string>): T {
  const parsed = schema.safeParse(fields);
  if (parsed.success) return parsed.data;
  throw new BadRequestError(
    `invalid form field(s): ${parsed.error.issues.map((i) => `${i.path.join('.') || 'form'}: ${i.message}`).join('; ')}`,
    'invalid_request',
  );
}
