import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certificatePem, toHex } from './encoding.js';
import { OID } from './oids.js';
import { createTestPki, type TestPki } from './test-support/test-pki.js';
import { openssl, scratchDir } from './test-support/openssl.js';
import { TimeStampAuthority } from './tsa/TimeStampAuthority.js';
import { HttpTimeStamper } from './tsa/HttpTimeStamper.js';
import { InProcessTimeStamper } from './tsa/InProcessTimeStamper.js';
import { tokenFromResponse } from './tsa/timestamp-response.js';
import { buildTimeStampRequest, randomNonce } from './tsa/timestamp-request.js';
import { verifyTimeStampToken } from './tsa/verify-timestamp.js';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

const now = new Date('2026-06-01T08:00:00Z');
let pki: TestPki;
const tmp = scratchDir();
const data = new TextEncoder().encode('通办 document bytes');
const digest = new Uint8Array(createHash('sha256').update(data).digest());

beforeAll(async () => {
  pki = await createTestPki({ clock: () => now });
  tmp.write('root.pem', certificatePem(pki.root.certificate));
  tmp.write('tsa.pem', certificatePem(pki.tsa.certificate));
});
afterAll(() => tmp.cleanup());

function respStatus(der: Uint8Array): pkijs.TimeStampResp {
  return new pkijs.TimeStampResp({ schema: asn1js.fromBER(new Uint8Array(der)).result });
}

describe('RFC 3161 TSA', () => {
  it('answers an openssl ts -query; openssl ts -reply -text parses it and ts -verify accepts it', async () => {
    const dataFile = tmp.write('data.bin', data);
    const q = openssl(['ts', '-query', '-data', dataFile, '-sha256', '-cert', '-out', tmp.path('req.tsq')]);
    expect(q.status).toBe(0);
    const resp = await pki.tsaAuthority.respond(readFileSync(tmp.path('req.tsq')));
    tmp.write('r.tsr', resp);
    const text = openssl(['ts', '-reply', '-in', tmp.path('r.tsr'), '-text']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Status: Granted.');
    expect(text.stdout).toContain(`Policy OID: ${OID.tsaPolicy}`);
    expect(text.stdout).toContain('Time stamp: Jun  1 08:00:00 2026 GMT');
    expect(text.stdout).toContain('Accuracy: 0x01 seconds');
    expect(text.stdout).toMatch(/Nonce: 0x[0-9A-F]+/);
    const verify = openssl([
      'ts',
      '-verify',
      '-in',
      tmp.path('r.tsr'),
      '-queryfile',
      tmp.path('req.tsq'),
      '-CAfile',
      tmp.path('root.pem'),
      '-attime',
      String(now.getTime() / 1000 + 60),
    ]);
    expect(verify.stdout + verify.stderr).toContain('Verification: OK');
  });

  it('in-process tokens verify with openssl (-digest, -token_in) and with verifyTimeStampToken', async () => {
    const token = await pki.timeStamper.timestamp(digest, 'SHA-256');
    tmp.write('token.der', token);
    const ossl = openssl([
      'ts',
      '-verify',
      '-digest',
      toHex(digest),
      '-in',
      tmp.path('token.der'),
      '-token_in',
      '-CAfile',
      tmp.path('root.pem'),
      '-untrusted',
      tmp.path('tsa.pem'),
      '-attime',
      String(now.getTime() / 1000 + 60),
    ]);
    expect(ossl.stdout + ossl.stderr).toContain('Verification: OK');
    const r = verifyTimeStampToken(token, {
      hash: digest,
      digest: 'SHA-256',
      trustAnchors: pki.trustAnchors,
      crls: [pki.crl('root')],
    });
    expect(r).toMatchObject({ valid: true, hashMatches: true, problems: [] });
    expect(r.time?.toISOString()).toBe(now.toISOString());
    expect(r.signer?.subject).toContain('CN=Tongban Platform TSA');
    expect(verifyTimeStampToken(token, { data, trustAnchors: pki.trustAnchors }).hashMatches).toBe(true);
  });

  it('reports a wrong hash, an untrusted TSA, a revoked TSA and a tampered token', async () => {
    const token = await pki.timeStamper.timestamp(digest, 'SHA-256');
    const other = new Uint8Array(32).fill(7);
    expect(verifyTimeStampToken(token, { hash: other, trustAnchors: pki.trustAnchors })).toMatchObject({
      valid: false,
      hashMatches: false,
    });
    expect(verifyTimeStampToken(token, { hash: digest, trustAnchors: [pki.cas.xingren.certificate] }).valid).toBe(
      false,
    );
    const revokedCrl = pki.crl('root', [
      { serial: pki.serialOf(pki.tsa), date: new Date(now.getTime() - 1000), reason: 'keyCompromise' },
    ]);
    const revoked = verifyTimeStampToken(token, { hash: digest, trustAnchors: pki.trustAnchors, crls: [revokedCrl] });
    expect(revoked.valid).toBe(false);
    expect(revoked.chain?.revoked).toBe(true);
    const tampered = new Uint8Array(token);
    const at = Buffer.from(tampered).indexOf(Buffer.from(digest));
    tampered[at] = tampered[at]! ^ 1;
    const t = verifyTimeStampToken(tampered, { trustAnchors: pki.trustAnchors });
    expect(t.valid).toBe(false);
    expect(t.problems.join()).toContain('messageDigest does not match');
    expect(verifyTimeStampToken(new Uint8Array([0x30, 0x03, 1, 2, 3]), { trustAnchors: pki.trustAnchors }).valid).toBe(
      false,
    );
  });

  it('a token signed by a non-TSA certificate is rejected', async () => {
    const fake = new InProcessTimeStamper(new TimeStampAuthority({ signer: pki.signer(pki.seal), clock: () => now }));
    const r = verifyTimeStampToken(await fake.timestamp(digest, 'SHA-256'), {
      hash: digest,
      trustAnchors: pki.trustAnchors,
    });
    expect(r.valid).toBe(false);
    expect(r.problems.join()).toContain('not a TSA certificate');
  });

  it('rejects garbage, wrong hash lengths, unknown algorithms and policies with a PKIStatus, not an exception', async () => {
    const garbage = respStatus(await pki.tsaAuthority.respond(new TextEncoder().encode('not a request')));
    expect(garbage.status.status).toBe(2);
    expect(garbage.timeStampToken).toBeUndefined();
    const badLength = respStatus(
      await pki.tsaAuthority.respond(buildTimeStampRequest(new Uint8Array(20), 'SHA-256', randomNonce())),
    );
    expect(badLength.status.status).toBe(2);
    const text = openssl([
      'ts',
      '-reply',
      '-in',
      tmp.write('bad.tsr', await pki.tsaAuthority.respond(new Uint8Array([0xff, 0x00]))),
      '-text',
    ]);
    expect(text.stdout).toContain('Status: Rejected');
    expect(text.stdout).toContain('Failure info: the data submitted has the wrong format');
    const sha1 = openssl(['ts', '-query', '-data', tmp.path('data.bin'), '-sha1', '-out', tmp.path('sha1.tsq')]);
    expect(sha1.status).toBe(0);
    const algo = openssl([
      'ts',
      '-reply',
      '-in',
      tmp.write('sha1.tsr', await pki.tsaAuthority.respond(readFileSync(tmp.path('sha1.tsq')))),
      '-text',
    ]);
    expect(algo.stdout).toContain('Failure info: unrecognized or unsupported algorithm identifier');
    openssl([
      'ts',
      '-query',
      '-data',
      tmp.path('data.bin'),
      '-sha256',
      '-tspolicy',
      '1.2.3.4',
      '-out',
      tmp.path('pol.tsq'),
    ]);
    const pol = openssl([
      'ts',
      '-reply',
      '-in',
      tmp.write('pol.tsr', await pki.tsaAuthority.respond(readFileSync(tmp.path('pol.tsq')))),
      '-text',
    ]);
    expect(pol.stdout).toContain('Failure info: the requested TSA policy is not supported by the TSA');
  });

  it('serial numbers are unique; certReq false leaves the TSA certificate out', async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = verifyTimeStampToken(await pki.timeStamper.timestamp(digest, 'SHA-256'), {
        hash: digest,
        trustAnchors: pki.trustAnchors,
      });
      serials.add(r.serial!);
    }
    expect(serials.size).toBe(5);
    const resp = await pki.tsaAuthority.respond(buildTimeStampRequest(digest, 'SHA-256', randomNonce(), false));
    const token = tokenFromResponse(resp, digest);
    expect(verifyTimeStampToken(token, { hash: digest, trustAnchors: pki.trustAnchors }).problems.join()).toContain(
      'not available',
    );
    expect(
      verifyTimeStampToken(token, {
        hash: digest,
        trustAnchors: pki.trustAnchors,
        intermediates: [pki.tsa.certificate],
      }).valid,
    ).toBe(true);
  });

  it('HttpTimeStamper posts application/timestamp-query and checks the answer', async () => {
    let contentType: string | undefined;
    const server: Server = createServer((req, res) => {
      contentType = req.headers['content-type'];
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void pki.tsaAuthority.respond(Buffer.concat(chunks)).then((body) => {
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' });
          res.end(body);
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pki/tsa`;
      const token = await new HttpTimeStamper(url).timestamp(digest, 'SHA-256');
      expect(contentType).toBe('application/timestamp-query');
      expect(verifyTimeStampToken(token, { hash: digest, trustAnchors: pki.trustAnchors }).valid).toBe(true);
      await expect(new HttpTimeStamper(url).timestamp(new Uint8Array(5), 'SHA-256')).rejects.toMatchObject({
        code: 'tsa_error',
      });
      await expect(
        new HttpTimeStamper('http://127.0.0.1:1/tsa', { timeoutMs: 2000 }).timestamp(digest, 'SHA-256'),
      ).rejects.toMatchObject({ code: 'tsa_error' });
    } finally {
      server.close();
    }
  });
});
