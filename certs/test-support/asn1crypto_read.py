#!/usr/bin/python3
# Reads CMS SignedData and RFC 3161 tokens the way endesive-style validators do, with asn1crypto
# (Debian's python3-asn1crypto), and prints what it found as JSON; any parse error exits non-zero.
#   asn1crypto_read.py token FILE       a TimeStampToken (ContentInfo over a TSTInfo)
#   asn1crypto_read.py signature FILE   a CMS signature: its signatureTimeStampTokens
import json
import sys

from asn1crypto import cms, core, tsp  # noqa: F401  (tsp registers TSTInfo as the tst_info content)


def token_facts(token):
    encap = token['content']['encap_content_info']
    tst = encap['content'].parsed
    return {
        'eContentType': encap['content_type'].dotted,
        'tstInfo': type(tst).__name__,
        'genTime': tst['gen_time'].native.isoformat(),
        'policy': tst['policy'].dotted,
        'hashedMessage': tst['message_imprint']['hashed_message'].native.hex(),
    }


def main():
    kind, path = sys.argv[1], sys.argv[2]
    with open(path, 'rb') as f:
        der = f.read()
    info = cms.ContentInfo.load(der, strict=True)
    if kind == 'token':
        tokens = [token_facts(info)]
    else:
        tokens = []
        for signer in info['content']['signer_infos']:
            attrs = signer['unsigned_attrs']
            if isinstance(attrs, core.Void):
                continue
            for attr in attrs:
                if attr['type'].native == 'signature_time_stamp_token':
                    tokens.extend(token_facts(t) for t in attr['values'])
    print(json.dumps({'contentType': info['content_type'].native, 'tokens': tokens}))


if __name__ == '__main__':
    main()
