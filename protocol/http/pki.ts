// The platform PKI's public face: the root certificate, a CRL per CA and the RFC 3161 time-stamping
// responder. All three answer with bytes, not JSON.
import { z } from 'zod';
import { route } from '../common.js';

export const crlParams = z.object({ ca: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) }).strict();

export const getRootCertificate = route({
  method: 'get',
  path: '/pki/root.pem',
  auth: 'none',
  produces: 'application/x-pem-file',
});
export const getCrl = route({
  method: 'get',
  path: '/pki/crl/:ca.crl',
  auth: 'none',
  params: crlParams,
  produces: 'application/pkix-crl',
});
export const timestamp = route({
  method: 'post',
  path: '/pki/tsa',
  auth: 'none',
  consumes: 'application/timestamp-query',
  produces: 'application/timestamp-reply',
});
