#!/usr/bin/env python3
"""Generate the SigV4 test vectors in tests/vectors/sigv4 with botocore.

Each case is signed by botocore's own SigV4Auth with the clock frozen, so the
expected values are botocore's, not ours. One directory per case:

  request.txt            the request, in the form tests/unit/test_sigv4.c reads
  canonical_request.txt  botocore's canonical request
  string_to_sign.txt     botocore's string to sign
  signature.txt          hex signature
  authorization.txt      the Authorization header botocore set

The stage files hold the exact strings, with no trailing newline. index.txt
lists the cases. Running the script again rewrites identical files.

request.txt has one "key=value" per line; "header=" repeats, in order, as
"Name:value". Values are written byte for byte except that a backslash, bytes
outside printable ASCII and a trailing space are written as \\xHH. "host" is
the Host header botocore derived from the URL; "path" and "query" are as sent
on the wire; "time" is seconds since the epoch (UTC).

Usage: python3 tests/vectors/gen_sigv4.py [outdir]
"""

import datetime
import os
import sys
from unittest import mock
from urllib.parse import urlsplit

import botocore
import botocore.auth
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode_sequence

# The AWS documentation's example credentials and time (20150830T123600Z).
AKID = 'AKIDEXAMPLE'
SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
TOKEN = ('IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ'
         'DEXAMPLE+tokenbody/with+slashes==')
T_DOC = 1440938160

DDB_JSON = 'application/x-amz-json-1.0'


def ddb(target):
    return [('Content-Type', DDB_JSON),
            ('X-Amz-Target', 'DynamoDB_20120810.' + target)]


# name, description, and the request. 'query' is a list of (name, value)
# pairs encoded into the URL by botocore's percent_encode_sequence, as
# botocore.awsrequest.prepare_request_dict does for a real call. 'wire_query'
# instead hands botocore the decoded pairs as AWSRequest params (its other
# canonical query path) while the C side gets the given, deliberately
# non-canonical, wire form: that proves the decode and re-encode.
CASES = [
    dict(name='ddb_put_item',
         desc='DynamoDB PutItem, no session token',
         method='POST', url='https://dynamodb.us-east-1.amazonaws.com/',
         headers=ddb('PutItem'),
         body=b'{"TableName":"Music","Item":{"Artist":{"S":"No One You Know"},'
              b'"SongTitle":{"S":"Call Me Today"}}}',
         region='us-east-1', service='dynamodb', token=None, time=T_DOC),
    dict(name='ddb_put_item_token',
         desc='DynamoDB PutItem with a session token',
         method='POST', url='https://dynamodb.us-east-1.amazonaws.com/',
         headers=ddb('PutItem'),
         body=b'{"TableName":"Music","Item":{"Artist":{"S":"No One You Know"},'
              b'"SongTitle":{"S":"Call Me Today"}}}',
         region='us-east-1', service='dynamodb', token=TOKEN, time=T_DOC),
    dict(name='ddb_local_port',
         desc='DynamoDB Local on a non-default port over http',
         method='POST', url='http://127.0.0.1:8000/',
         headers=ddb('Scan'),
         body=b'{"TableName":"t","Segment":3,"TotalSegments":16}',
         region='us-east-1', service='dynamodb', token=None, time=T_DOC),
    dict(name='ddb_empty_body',
         desc='an empty body hashes to the SHA-256 of nothing',
         method='POST', url='https://dynamodb.us-east-1.amazonaws.com/',
         headers=ddb('ListTables'), body=b'',
         region='us-east-1', service='dynamodb', token=None, time=T_DOC),
    dict(name='ddb_unicode_body',
         desc='a UTF-8 body is hashed as bytes',
         method='POST', url='https://dynamodb.us-east-1.amazonaws.com/',
         headers=ddb('PutItem'),
         body='{"TableName":"t","Item":{"pk":{"S":"caf\u00e9 \u2615 '
              '\u65e5\u672c\u8a9e \U0001f600"}}}'.encode('utf-8'),
         region='us-east-1', service='dynamodb', token=None, time=T_DOC),
    dict(name='ddb_other_region_date',
         desc='another region, a leap day one second before midnight',
         method='POST', url='https://dynamodb.ap-southeast-2.amazonaws.com/',
         headers=ddb('BatchWriteItem'),
         body=b'{"RequestItems":{"t":[{"PutRequest":{"Item":'
              b'{"pk":{"S":"1"}}}}]}}',
         region='ap-southeast-2', service='dynamodb', token=TOKEN,
         time=int(datetime.datetime(2024, 2, 29, 23, 59, 59,
                                    tzinfo=datetime.timezone.utc)
                  .timestamp())),
    dict(name='sts_assume_role',
         desc='STS AssumeRole, a form body, with a session token',
         method='POST', url='https://sts.amazonaws.com/',
         headers=[('Content-Type',
                   'application/x-www-form-urlencoded; charset=utf-8')],
         body=percent_encode_sequence([
             ('Action', 'AssumeRole'), ('Version', '2011-06-15'),
             ('RoleArn', 'arn:aws:iam::123456789012:role/Admin'),
             ('RoleSessionName', 'dynamo-copy'),
             ('DurationSeconds', '3600')]).encode(),
         region='us-east-1', service='sts', token=TOKEN, time=T_DOC),
    dict(name='sso_role_credentials',
         desc='SSO portal GetRoleCredentials: GET with a query to sort',
         method='GET',
         url='https://portal.sso.eu-west-1.amazonaws.com/federation/credentials',
         query=[('role_name', 'Dev Role'), ('account_id', '123456789012')],
         headers=[('x-amz-sso_bearer_token', 'aoaAAAAAGExampleBearerToken')],
         body=b'', region='eu-west-1', service='awsssoportal', token=None,
         time=T_DOC),
    dict(name='query_duplicate_keys',
         desc='repeated names sort by value; a name without "=" gets ""',
         method='GET', url='https://example.us-east-1.amazonaws.com/',
         query=[('b', '2'), ('a', 'z'), ('a', '10'), ('a', '1'),
                ('a', ''), ('a-b', 'x'), ('a_b', 'y')],
         raw_query_suffix='&c',
         headers=[], body=b'', region='us-east-1', service='example',
         token=None, time=T_DOC),
    dict(name='query_reencode',
         desc='a wire query in a non-canonical encoding is decoded and '
              're-encoded',
         method='GET', url='https://example.us-east-1.amazonaws.com/list',
         wire_query="prefix=a%2fb/c&Name=it's*(1)!&empty&space=a%20b"
                    "&tilde=%7Euser&utf=%c3%a9t%C3%A9&pct=100%25&bad=%zz"
                    "&eq=a=b",
         params=[('prefix', 'a/b/c'), ('Name', "it's*(1)!"),
                 ('empty', ''), ('space', 'a b'), ('tilde', '~user'),
                 ('utf', '\u00e9t\u00e9'), ('pct', '100%'), ('bad', '%zz'),
                 ('eq', 'a=b')],
         headers=[], body=b'', region='us-east-1', service='example',
         token=None, time=T_DOC),
    dict(name='path_encoding',
         desc='the wire path is encoded once more; "/" and "~" kept',
         method='GET',
         url='https://example.us-east-1.amazonaws.com'
             '/my%20docs/%C3%A9t%C3%A9/a+b/~user/x=y:z@w/%2F/-_.',
         headers=[], body=b'', region='us-east-1', service='example',
         token=None, time=T_DOC),
    dict(name='path_dot_segments',
         desc='dot segments and repeated slashes are removed first',
         method='GET',
         url='https://example.us-east-1.amazonaws.com/a/./b/../c//d/',
         headers=[], body=b'', region='us-east-1', service='example',
         token=None, time=T_DOC),
    dict(name='header_whitespace',
         desc='header values are trimmed and inner runs of blanks folded',
         method='POST', url='https://dynamodb.us-east-1.amazonaws.com/',
         headers=ddb('GetItem') + [
             ('X-Amz-Meta-Spaced', '   one  two \t three   '),
             ('X-Amz-Meta-Tabs', '\ta\t\tb\t')],
         body=b'{"TableName":"t","Key":{"pk":{"S":"1"}}}',
         region='us-east-1', service='dynamodb', token=None, time=T_DOC),
    dict(name='header_duplicates',
         desc='repeated names, in any case, are joined with "," in order',
         method='POST', url='https://dynamodb.us-east-1.amazonaws.com/',
         headers=ddb('GetItem') + [
             ('X-Amz-Meta-Dup', 'zeta'), ('x-amz-meta-dup', '  alpha '),
             ('X-AMZ-META-DUP', 'mid  dle')],
         body=b'{"TableName":"t","Key":{"pk":{"S":"1"}}}',
         region='us-east-1', service='dynamodb', token=TOKEN, time=T_DOC),
    # S3 (botocore's S3SigV4Auth, chosen by the service name as botocore
    # does): the path is signed as sent, x-amz-content-sha256 is signed.
    dict(name='s3_list_objects_virtual',
         desc='S3 ListObjectsV2, virtual-hosted, a continuation token to encode',
         method='GET', url='https://my-bucket.s3.us-east-1.amazonaws.com/',
         query=[('list-type', '2'), ('prefix', 'exp/AWSDynamoDB/'),
                ('continuation-token', '1/ab+cd=='), ('encoding-type', 'url'),
                ('max-keys', '1000')],
         headers=[], body=b'', region='us-east-1', service='s3',
         token=TOKEN, time=T_DOC),
    dict(name='s3_get_object_path_style',
         desc='S3 GetObject, path-style on a local port: a key with "//", '
              '"." and ".." segments and escapes is signed as sent',
         method='GET',
         url='http://127.0.0.1:5000/bkt/a%20b/c%2Bd//x/./y/../%25z~',
         headers=[], body=b'', region='us-east-1', service='s3',
         token=None, time=T_DOC),
    dict(name='s3_get_object_unicode_key',
         desc='S3 GetObject of a UTF-8 key in another region',
         method='GET',
         url='https://bkt.s3.eu-west-1.amazonaws.com/data/%C3%A9t%C3%A9%20'
             '%E2%98%95.json.gz',
         headers=[], body=b'', region='eu-west-1', service='s3',
         token=TOKEN, time=T_DOC),
]


def recording(base):
    """botocore's signer (base), keeping each stage it computes."""

    class Recording(base):
        def canonical_request(self, request):
            self.creq = super().canonical_request(request)
            return self.creq

        def string_to_sign(self, request, canonical_request):
            self.sts = super().string_to_sign(request, canonical_request)
            return self.sts

        def signature(self, string_to_sign, request):
            self.sig = super().signature(string_to_sign, request)
            return self.sig

    return Recording


def esc(s):
    if isinstance(s, str):
        s = s.encode('utf-8')
    out = []
    for i, b in enumerate(s):
        if b == 0x5c or b < 0x20 or b > 0x7e or (b == 0x20 and i == len(s) - 1):
            out.append('\\x%02x' % b)
        else:
            out.append(chr(b))
    return ''.join(out)


def sign(case):
    url = case['url']
    params = case.get('params')
    if 'query' in case:
        url += '?' + percent_encode_sequence(case['query'])
        url += case.get('raw_query_suffix', '')
    req = AWSRequest(method=case['method'], url=url, data=case['body'],
                     params=params)
    for name, value in case['headers']:
        req.headers[name] = value  # HTTPHeaders appends repeats

    now = datetime.datetime.fromtimestamp(case['time'], datetime.timezone.utc)
    cred = Credentials(AKID, SECRET, case['token'])
    base = S3SigV4Auth if case['service'] == 's3' else SigV4Auth
    auth = recording(base)(cred, case['service'], case['region'])
    with mock.patch.object(botocore.auth, 'get_current_datetime',
                           lambda *a, **k: now.replace(tzinfo=None)):
        auth.add_auth(req)

    parts = urlsplit(url)
    query = case.get('wire_query', parts.query)
    lines = [
        '# generated by tests/vectors/gen_sigv4.py with botocore %s; '
        'do not edit' % botocore.__version__,
        '# ' + case['desc'],
        'method=' + case['method'],
        'host=' + esc(botocore.auth._host_from_url(url)),
        'path=' + esc(parts.path),
        'query=' + esc(query),
    ]
    lines += ['header=%s:%s' % (n, esc(v)) for n, v in case['headers']]
    lines += [
        'body=' + esc(case['body']),
        'region=' + case['region'],
        'service=' + case['service'],
        'access_key=' + AKID,
        'secret=' + esc(SECRET),
        'token=' + esc(case['token'] or ''),
        'time=%d' % case['time'],
    ]
    return {
        'request.txt': '\n'.join(lines) + '\n',
        'canonical_request.txt': auth.creq,
        'string_to_sign.txt': auth.sts,
        'signature.txt': auth.sig,
        'authorization.txt': req.headers['Authorization'],
    }


def write(path, text):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(text)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'sigv4')
    os.makedirs(outdir, exist_ok=True)
    for case in CASES:
        d = os.path.join(outdir, case['name'])
        os.makedirs(d, exist_ok=True)
        for fname, text in sign(case).items():
            write(os.path.join(d, fname), text)
    write(os.path.join(outdir, 'index.txt'),
          ''.join(c['name'] + '\n' for c in CASES))


if __name__ == '__main__':
    main()
