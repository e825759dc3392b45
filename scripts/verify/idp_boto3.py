#!/usr/bin/env python3
"""Checks the reference stack's identity provider with clients nobody here wrote: boto3's cognito-idp
client (InitiateAuth, refresh, GetUser, errors, the quota) and joserfc (token signatures via the JWKS,
and the claims). Usage: idp_boto3.py ENDPOINTS_JSON   (exits non-zero on the first failed check)

Needs (PyPI): boto3, joserfc, requests.
"""
import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import sys
import time

import boto3
import requests
from botocore.config import Config
from joserfc import jwt
from joserfc.jwk import KeySet

failures = 0


def check(condition, what):
    global failures
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures += 1


def main(path):
    e = json.load(open(path))
    # InitiateAuth & co. are unsigned, but botocore wants a credential chain to exist at all.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "unused")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "unused")
    endpoint = e["direct"]["idp"]
    ca = e["ca_file"]
    cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"}, max_pool_connections=32)
    idp = boto3.client("cognito-idp", region_name=e["region"], endpoint_url=endpoint, verify=ca, config=cfg)
    api = e["clients"]["api"]["client_id"]
    web = e["clients"]["web"]
    user = next(u for u in e["users"] if "managers" in u["groups"])

    r = idp.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=api,
                          AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]})
    result = r["AuthenticationResult"]
    check(all(k in result for k in ("AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType")),
          "initiate_auth USER_PASSWORD_AUTH returns AuthenticationResult with all five fields")

    secret_hash = base64.b64encode(hmac.new(web["client_secret"].encode(), (user["username"] + web["client_id"]).encode(),
                                            hashlib.sha256).digest()).decode()
    r2 = idp.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=web["client_id"],
                           AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"], "SECRET_HASH": secret_hash})
    check("AccessToken" in r2["AuthenticationResult"], "initiate_auth with SECRET_HASH for the web client (which has a secret)")

    try:
        idp.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=api,
                          AuthParameters={"USERNAME": user["username"], "PASSWORD": "wrong-Password-1!"})
        check(False, "wrong password raises NotAuthorizedException")
    except idp.exceptions.NotAuthorizedException as err:
        check(err.response["Error"]["Message"] == "Incorrect username or password.",
              "wrong password raises NotAuthorizedException 'Incorrect username or password.'")

    try:
        idp.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=web["client_id"],
                          AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"], "SECRET_HASH": "AAAA"})
        check(False, "a wrong SECRET_HASH raises NotAuthorizedException")
    except idp.exceptions.NotAuthorizedException:
        check(True, "a wrong SECRET_HASH raises NotAuthorizedException")

    time.sleep(1.1)  # so the refreshed tokens' iat differs
    rr = idp.initiate_auth(AuthFlow="REFRESH_TOKEN_AUTH", ClientId=api,
                           AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]})
    refreshed = rr["AuthenticationResult"]
    check(refreshed["AccessToken"] != result["AccessToken"] and "IdToken" in refreshed and "RefreshToken" not in refreshed,
          "REFRESH_TOKEN_AUTH returns new access and ID tokens (and no new refresh token)")

    me = idp.get_user(AccessToken=refreshed["AccessToken"])
    check(me["Username"] == user["username"], "get_user returns the user")

    # Tokens against the JWKS, with joserfc.
    jwks_url = endpoint + "/" + e["user_pool_id"] + "/.well-known/jwks.json"
    jwks = requests.get(jwks_url, verify=ca, timeout=10).json()
    keys = KeySet.import_key_set(jwks)
    issuer = e.get("issuer") or f"https://cognito-idp.{e['region']}.amazonaws.com/{e['user_pool_id']}"
    access = jwt.decode(refreshed["AccessToken"], keys, algorithms=["RS256"])
    idtok = jwt.decode(refreshed["IdToken"], keys, algorithms=["RS256"])
    check(access.header["kid"] != idtok.header["kid"], "ID and access tokens are signed under different kids")
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": issuer}, token_use={"essential": True, "value": "access"},
                          client_id={"essential": True, "value": api}, exp={"essential": True},
                          iat={"essential": True}).validate(access.claims)
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": issuer}, token_use={"essential": True, "value": "id"},
                          aud={"essential": True, "value": api}, exp={"essential": True}).validate(idtok.claims)
    a, i = access.claims, idtok.claims
    check("aud" not in a, "access token has no aud")
    check(all(k in a for k in ("sub", "scope", "username", "cognito:groups", "auth_time", "iat", "exp", "jti", "origin_jti")),
          "access token carries sub, scope, username, cognito:groups, auth_time, iat, exp, jti, origin_jti")
    check(a["username"] == user["username"] and a["cognito:groups"] == user["groups"], "access token names the user and groups")
    check(i["cognito:username"] == user["username"] and i["cognito:groups"] == user["groups"], "ID token has cognito:username and groups")
    first = jwt.decode(result["AccessToken"], keys).claims
    check(a["auth_time"] == first["auth_time"] and a["iat"] > first["iat"], "refresh keeps auth_time, moves iat")
    try:
        tampered = refreshed["AccessToken"][:-6] + ("AAAAAA" if not refreshed["AccessToken"].endswith("AAAAAA") else "BBBBBB")
        jwt.decode(tampered, keys)
        check(False, "a tampered token fails verification")
    except Exception:
        check(True, "a tampered token fails verification")

    idp.revoke_token(Token=result["RefreshToken"], ClientId=api)
    try:
        idp.initiate_auth(AuthFlow="REFRESH_TOKEN_AUTH", ClientId=api, AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]})
        check(False, "a revoked refresh token is refused")
    except idp.exceptions.NotAuthorizedException:
        check(True, "a revoked refresh token is refused (NotAuthorizedException)")

    # The quota: a burst well above the rate, from many threads, with boto3's retries off.
    # Refreshes with an unknown token are in the authentication category but cost the server almost nothing,
    # so the burst outruns the bucket even on a loaded machine.
    burst = 600
    outcome = {"throttled": 0, "other": 0}

    def one(_):
        try:
            idp.initiate_auth(AuthFlow="REFRESH_TOKEN_AUTH", ClientId=api, AuthParameters={"REFRESH_TOKEN": "x" * 40})
            return "other"
        except idp.exceptions.TooManyRequestsException:
            return "throttled"
        except idp.exceptions.NotAuthorizedException:
            return "other"

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        for result_kind in pool.map(one, range(burst)):
            outcome[result_kind] += 1
    elapsed = time.monotonic() - start
    print(f"     quota burst: {burst} requests in {elapsed:.2f}s ({burst / elapsed:.0f}/s): "
          f"{outcome['throttled']} throttled, {outcome['other']} admitted")
    check(outcome["throttled"] > 0, "more than the quota's rate raises TooManyRequestsException")
    check(outcome["other"] > 0, "requests within the quota are admitted")

    print("all checks passed" if failures == 0 else f"{failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: idp_boto3.py ENDPOINTS_JSON", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
