#!/usr/bin/python3
"""SigV4 oracle for tests/adapters/sigv4_oracle_test.cpp (issue 10).

Signs a fixed set of requests, plus a seeded batch of random ones, with Debian's python3-botocore
(SigV4Auth, the signer boto3 and the AWS CLI use) at fixed times, and prints them as JSON: the
request as it was before signing, the wire form after signing, and botocore's canonical request,
string to sign and Authorization header. The C++ test signs the same requests with
esser::adapters::sigv4_signer and requires byte-for-byte equality, then checks that
verify_sigv4 accepts botocore's signed requests.

Run with /usr/bin/python3 (Debian's python, where python3-botocore lives): another python3 may
come first on PATH.
"""
import datetime
import json
import random
import sys
import types
from urllib.parse import urlsplit

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class FixedClock(datetime.datetime):
    """botocore.auth reads datetime.datetime.utcnow(); this makes it return `now`."""

    now = None

    @classmethod
    def utcnow(cls):
        return cls.now


botocore.auth.datetime = types.SimpleNamespace(datetime=FixedClock)


class RecordingSigV4(botocore.auth.SigV4Auth):
    """SigV4Auth that keeps the canonical request and the string to sign it computed."""

    def string_to_sign(self, request, canonical_request):
        self.recorded_canonical = canonical_request
        sts = super().string_to_sign(request, canonical_request)
        self.recorded_sts = sts
        return sts


def sign_case(case):
    FixedClock.now = datetime.datetime.strptime(case["time"], "%Y%m%dT%H%M%SZ")
    body = bytes.fromhex(case.get("body_hex", ""))
    request = AWSRequest(
        method=case["method"],
        url=case["url"],
        data=body,
        params=case.get("params") or {},
    )
    for name, value in case.get("headers", []):
        request.headers[name] = value  # HTTPHeaders appends: repeated names stay repeated
    before = [[k, v] for k, v in request.headers.items()]
    creds = Credentials(case["access_key"], case["secret"], case.get("token") or None)
    signer = RecordingSigV4(creds, case["service"], case["region"])
    signer.add_auth(request)
    wire_url = request.prepare().url
    parts = urlsplit(wire_url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    return {
        "name": case["name"],
        "method": case["method"],
        "url": case["url"],
        "wire_url": wire_url,
        "target": target,
        "headers_before": before,
        "headers_after": [[k, v] for k, v in request.headers.items()],
        "body_hex": body.hex(),
        "access_key": case["access_key"],
        "secret": case["secret"],
        "token": case.get("token") or "",
        "region": case["region"],
        "service": case["service"],
        "time": case["time"],
        "canonical_request": signer.recorded_canonical,
        "string_to_sign": signer.recorded_sts,
        "authorization": request.headers["Authorization"],
    }


AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
DDB = "https://dynamodb.us-east-1.amazonaws.com/"
PUT_ITEM = json.dumps(
    {"TableName": "events", "Item": {"pk": {"S": "Item#1"}, "v": {"N": "1"}},
     "ConditionExpression": "attribute_not_exists(pk)"}
).encode()


def base(name, **kw):
    case = {"name": name, "method": "POST", "url": DDB, "access_key": AKID, "secret": SECRET,
            "region": "us-east-1", "service": "dynamodb", "time": "20150830T123600Z",
            "headers": [], "body_hex": ""}
    case.update(kw)
    return case


def fixed_cases():
    ddb_headers = [["Content-Type", "application/x-amz-json-1.0"],
                   ["X-Amz-Target", "DynamoDB_20120810.PutItem"]]
    return [
        base("DynamoDB PutItem", headers=ddb_headers, body_hex=PUT_ITEM.hex()),
        base("DynamoDB PutItem with a session token", headers=ddb_headers,
             body_hex=PUT_ITEM.hex(), token="IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH+/="),
        base("DynamoDB Streams GetRecords on the streams endpoint", method="POST",
             url="https://streams.dynamodb.eu-west-1.amazonaws.com/", region="eu-west-1",
             headers=[["Content-Type", "application/x-amz-json-1.0"],
                      ["X-Amz-Target", "DynamoDBStreams_20120810.GetRecords"]],
             body_hex=b'{"ShardIterator":"abc","Limit":100}'.hex()),
        base("empty POST body", headers=ddb_headers),
        base("the AWS documentation's IAM ListUsers example", method="GET",
             url="https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
             service="iam",
             headers=[["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]]),
        base("GET with query parameters that need encoding", method="GET",
             url="https://example.amazonaws.com/",
             params={"b": "x y", "a": "1/2+3", "\u00fc": "\u00df", "tilde": "~", "empty": "",
                     "star*": "(paren)", "A": "upper"}),
        base("raw query in the URL, repeated keys sorted by value", method="GET",
             url="https://example.amazonaws.com/?b=2&a=1&a=0&c="),
        base("path with spaces, UTF-8, escapes and reserved characters", method="GET",
             url="https://example.amazonaws.com/path with space/\u00e4\u00f6/%41%2F/a+b/~x/(p)!*'$,;=:@/"),
        base("path with dot segments and doubled slashes", method="PUT",
             url="https://example.amazonaws.com/a/./b/../c//d/..//e/", body_hex=b"payload".hex()),
        base("lowercase method and a DELETE", method="delete",
             url="https://example.amazonaws.com/thing/1"),
        base("headers with odd spacing and repeats", method="POST",
             url="https://example.amazonaws.com/",
             headers=[["X-Custom", "  a   b\t\tc  "], ["x-custom", "second   value"],
                      ["X-Empty", ""], ["X-Tabs", "\t\tx\t"], ["X-UTF8", "caf\u00e9  cr\u00e8me"],
                      ["Content-Type", "text/plain"]],
             body_hex=b"hello".hex()),
        base("unsigned headers are left out", method="POST", url="https://example.amazonaws.com/",
             headers=[["User-Agent", "esser/0.1 (test)"], ["Expect", "100-continue"],
                      ["X-Amzn-Trace-Id", "Root=1-5759e988"], ["X-Signed", "yes"]]),
        base("an old Authorization, X-Amz-Date and token are replaced", method="POST",
             url=DDB, token="new-token",
             headers=[["Authorization", "AWS4-HMAC-SHA256 Credential=old"],
                      ["X-Amz-Date", "19990101T000000Z"], ["X-Amz-Security-Token", "old-token"]]
             + ddb_headers, body_hex=PUT_ITEM.hex()),
        base("explicit X-Amz-Content-Sha256 is used as the payload hash", method="PUT",
             url="https://example.amazonaws.com/obj",
             headers=[["X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"]], body_hex=b"ignored".hex()),
        base("non-default port", url="http://localhost:8000/", headers=ddb_headers,
             body_hex=PUT_ITEM.hex(), region="local"),
        base("IPv6 literal with port", url="http://[::1]:8000/", headers=ddb_headers,
             body_hex=b"{}".hex()),
        base("default https port written out", url="https://dynamodb.us-east-1.amazonaws.com:443/",
             headers=ddb_headers, body_hex=b"{}".hex()),
        base("explicit Host header", url="http://127.0.0.1:4567/",
             headers=[["Host", "127.0.0.1:4567"]] + ddb_headers, body_hex=b"{}".hex()),
        base("China region and another service", url="https://lambda.cn-north-1.amazonaws.com.cn/2015-03-31/functions/my-fn/invocations",
             region="cn-north-1", service="lambda", body_hex=b'{"k":1}'.hex()),
        base("binary body", method="PUT", url="https://example.amazonaws.com/bin",
             body_hex=bytes(range(256)).hex()),
        base("a date at the end of a leap day", time="20240229T235959Z", headers=ddb_headers,
             body_hex=b"{}".hex()),
        base("a secret with characters that matter", secret="a+b/c=d==", headers=ddb_headers,
             body_hex=b"{}".hex()),
    ]


PATH_CHARS = ("abcxyzABCXYZ0189-_.~ !$&'()*+,;=:@%" + "\u00e9\u00df\u4e2d")
QUERY_CHARS = ("abcxyzABCXYZ0189-_.~ !$'()*+,;:@/?%=&" + "\u00e9\u4e2d")
VALUE_CHARS = ("abcxyzABC0189-_.~!$&'()*+,;=:@/?%\"<>[]{}|\\^`#" + "\u00e9\u4e2d")


def random_string(rng, alphabet, lo, hi):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def random_cases(count, seed):
    rng = random.Random(seed)
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "post"]
    hosts = ["https://dynamodb.us-east-1.amazonaws.com", "http://localhost:8000",
             "https://example.amazonaws.com", "http://127.0.0.1:4567", "http://[::1]:9000"]
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "local", "cn-north-1"]
    services = ["dynamodb", "execute-api", "lambda", "sqs"]
    cases = []
    for i in range(count):
        segments = [random_string(rng, PATH_CHARS, 0, 6) for _ in range(rng.randint(0, 4))]
        segments += [rng.choice(["", ".", "..", "x"]) for _ in range(rng.randint(0, 1))]
        path = "/" + "/".join(segments)
        case = base(f"random #{i}", method=rng.choice(methods), url=rng.choice(hosts) + path,
                    region=rng.choice(regions), service=rng.choice(services),
                    access_key="AKID" + random_string(rng, "ABCDEFGHIJ0123456789", 4, 16),
                    secret=random_string(rng, "abcXYZ012/+=", 0, 40))
        if rng.random() < 0.5:
            case["params"] = {random_string(rng, QUERY_CHARS, 1, 5): random_string(rng, QUERY_CHARS, 0, 8)
                              for _ in range(rng.randint(1, 4))}
        headers = []
        for _ in range(rng.randint(0, 5)):
            name = "X-" + random_string(rng, "abcdefghijklmnopqrstuvwxyzABCDEF0123456789-", 1, 10)
            pad = lambda: rng.choice(["", " ", "  ", "\t", " \t "])
            value = pad() + pad().join(random_string(rng, VALUE_CHARS, 0, 6)
                                       for _ in range(rng.randint(0, 3))) + pad()
            headers.append([name, value])
            if rng.random() < 0.2:
                headers.append([name.lower(), random_string(rng, VALUE_CHARS, 0, 6)])
        case["headers"] = headers
        if rng.random() < 0.7:
            case["body_hex"] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300))).hex()
        if rng.random() < 0.4:
            case["token"] = random_string(rng, "abcXYZ012/+=", 1, 60)
        seconds = rng.randint(946684800, 2114380800)  # 2000 .. 2037
        case["time"] = datetime.datetime.utcfromtimestamp(seconds).strftime("%Y%m%dT%H%M%SZ")
        cases.append(case)
    return cases


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    out = {"botocore": botocore.__version__,
           "cases": [sign_case(c) for c in fixed_cases() + random_cases(count, 20240229)]}
    json.dump(out, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
