#!/usr/bin/env python3
"""Verify an x-amzn-oidc-data header the way AWS's documentation does it: read the kid from the JWT header,
fetch the PEM public key for that kid from the load balancer's key URL, and check the ES256 signature with
PyJWT; then check the header fields ALB sets (alg, kid, signer, client, iss, exp, typ).

Usage: alb_oidc_data.py --key-url URL --cacert CA_FILE [--signer ARN] [--client ID] TOKEN
Needs (PyPI): pyjwt, cryptography  (pip install pyjwt cryptography)
Exits 0 when the token verifies, 1 otherwise.
"""
import argparse
import base64
import json
import ssl
import sys
import time
import urllib.request

import jwt


def b64url(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key-url", required=True)
    ap.add_argument("--cacert", required=True)
    ap.add_argument("--signer")
    ap.add_argument("--client")
    ap.add_argument("token")
    args = ap.parse_args()

    parts = args.token.split(".")
    if len(parts) != 3:
        print("not a three-part JWT", file=sys.stderr)
        return 1
    if any(len(p) % 4 for p in parts):
        print("parts are not padded base64url (ALB pads them)", file=sys.stderr)
        return 1
    header = json.loads(b64url(parts[0]))
    for field in ("alg", "kid", "signer", "iss", "client", "exp", "typ"):
        if field not in header:
            print("header lacks %r: %s" % (field, header), file=sys.stderr)
            return 1
    if header["alg"] != "ES256":
        print("alg is %r, not ES256" % header["alg"], file=sys.stderr)
        return 1
    if args.signer and header["signer"] != args.signer:
        print("signer %r != %r" % (header["signer"], args.signer), file=sys.stderr)
        return 1
    if args.client and header["client"] != args.client:
        print("client %r != %r" % (header["client"], args.client), file=sys.stderr)
        return 1
    if header["exp"] <= time.time():
        print("expired", file=sys.stderr)
        return 1

    context = ssl.create_default_context(cafile=args.cacert)
    with urllib.request.urlopen(args.key_url.rstrip("/") + "/" + header["kid"], context=context, timeout=10) as response:
        pem = response.read()
    try:
        claims = jwt.decode(args.token, pem, algorithms=["ES256"], options={"verify_aud": False})
    except jwt.PyJWTError as error:
        print("PyJWT rejected the token: %s" % error, file=sys.stderr)
        return 1
    if "sub" not in claims:
        print("payload has no sub", file=sys.stderr)
        return 1
    print("verified: kid=%s sub=%s signer=%s" % (header["kid"], claims["sub"], header["signer"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
