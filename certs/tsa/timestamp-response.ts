// Reading a TimeStampResp as a client: status, then the token, checked against what we asked for.
import * as pkijs from 'pkijs';
import { parseDer } from '../asn1.js';
import { equalBytes } from '../encoding.js';
import { PkiError } from '../errors.js';

/** The TimeStampToken of a granted TimeStampResp after checking that it answers our request. */
export function tokenFromResponse(respDer: Uint8Array, hash: Uint8Array, nonce?: Uint8Array): Uint8Array {
  let resp: pkijs.TimeStampResp;
  try {
    resp = new pkijs.TimeStampResp({ schema: parseDer(respDer, 'TimeStampResp') });
  } catch {
    throw new PkiError('tsa_error', 'time-stamping authority sent an unreadable response');
  }
  if (resp.status.status > 1 || !resp.timeStampToken) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ');
    throw new PkiError('tsa_error', `time-stamping authority refused the request${text ? `: ${text}` : ''}`);
  }
  const tst = readTstInfo(resp.timeStampToken);
  if (!equalBytes(new Uint8Array(tst.messageImprint.hashedMessage.valueBlock.valueHexView), hash)) {
    throw new PkiError('tsa_error', 'time-stamp token is for a different hash');
  }
  if (nonce && (!tst.nonce || !equalBytes(new Uint8Array(tst.nonce.valueBlock.valueHexView), nonce))) {
    throw new PkiError('tsa_error', 'time-stamp token does not echo our nonce');
  }
  return new Uint8Array(resp.timeStampToken.toSchema().toBER());
}

function readTstInfo(token: pkijs.ContentInfo): pkijs.TSTInfo {
  try {
    const eContent = new pkijs.SignedData({ schema: token.content }).encapContentInfo.eContent;
    if (!eContent) throw new Error('no TSTInfo');
    return new pkijs.TSTInfo({ schema: parseDer(new Uint8Array(eContent.getValue()), 'TSTInfo') });
  } catch {
    throw new PkiError('tsa_error', 'time-stamp token carries no readable TSTInfo');
  }
}
