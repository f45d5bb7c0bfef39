// Peer for `npm run bench:signing`: one whole process signing a PDF the way node-signpdf users do
// (@signpdf/placeholder-plain + @signpdf/signpdf + its P12 signer; PAdES B-B at best, no TSA).
// usage: node signpdf-sign.mjs IN.pdf OUT.pdf KEY.p12 PASSPHRASE
import { readFileSync, writeFileSync } from 'node:fs';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import signpdfModule from '@signpdf/signpdf';
import { P12Signer } from '@signpdf/signer-p12';

const [input, output, p12, passphrase] = process.argv.slice(2);
const withPlaceholder = plainAddPlaceholder({
  pdfBuffer: readFileSync(input),
  reason: 'bench',
  contactInfo: 'bench',
  name: 'bench',
  location: 'bench',
  subFilter: 'ETSI.CAdES.detached',
});
// CommonJS build: the instance is the module's `default` export.
const signpdf = signpdfModule.default ?? signpdfModule;
const signed = await signpdf.sign(withPlaceholder, new P12Signer(readFileSync(p12), { passphrase }));
writeFileSync(output, signed);
