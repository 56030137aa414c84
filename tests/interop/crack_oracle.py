"""Oracle for waxseal-crack's interop tests.

Requests (one JSON object per line on stdin), answers one JSON object per line on stdout:

  {"op": "sign", "kind": K, "secret": HEX, "salt": S|null, "derivation": D|null,
   "digest": G|null, "payload": JSON}                   -> {"token": STR}
      K: "flask" (Flask's own session serializer; salt/derivation/digest ignored),
         "serializer", "timed_serializer", "signer", "timestamp_signer".
         null salt/derivation/digest = the class default.
  {"op": "wordlist_path", "name": "all"}                -> {"path": STR}
  {"op": "parse_lines", "path": STR}                    -> {"lines": [[KIND, HEX], ...]}
      Each line of the file (bytes, as flask-unsign reads it) through
      flask_unsign.helpers.parse; KIND is "literal" (ast.literal_eval gave str/bytes),
      "fallback" (literal_eval failed; flask-unsign uses the stripped line), "unencodable"
      (str that cannot be UTF-8 encoded) or "other" (a non-string literal).
"""
import ast
import hashlib
import json
import sys
import warnings

import flask
import flask_unsign_wordlist
import itsdangerous
from flask.sessions import SecureCookieSessionInterface
from flask_unsign.helpers import parse


def derivation_kwargs(req):
    kwargs = {}
    if req.get("derivation"):
        kwargs["key_derivation"] = req["derivation"]
    if req.get("digest"):
        kwargs["digest_method"] = getattr(hashlib, req["digest"])
    return kwargs


def sign(req):
    secret = bytes.fromhex(req["secret"])
    payload = req["payload"]
    kind = req["kind"]
    salt_kw = {"salt": req["salt"]} if req.get("salt") is not None else {}
    if kind == "flask":
        app = flask.Flask("oracle")
        app.secret_key = secret
        return SecureCookieSessionInterface().get_signing_serializer(app).dumps(payload)
    if kind in ("serializer", "timed_serializer"):
        cls = itsdangerous.URLSafeSerializer if kind == "serializer" else itsdangerous.URLSafeTimedSerializer
        return cls(secret, signer_kwargs=derivation_kwargs(req), **salt_kw).dumps(payload)
    cls = itsdangerous.Signer if kind == "signer" else itsdangerous.TimestampSigner
    value = payload if isinstance(payload, str) else json.dumps(payload)
    return cls(secret, **salt_kw, **derivation_kwargs(req)).sign(value).decode()


def classify(raw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            text = raw.decode()
            ast.literal_eval(text.strip().strip())
            evaluated = True
        except (SyntaxError, ValueError):
            evaluated = False
        value = parse(raw)
    if isinstance(value, str):
        try:
            encoded = value.encode()
        except UnicodeEncodeError:
            return ["unencodable", ""]
        return ["literal" if evaluated else "fallback", encoded.hex()]
    if isinstance(value, bytes):
        return ["literal" if evaluated else "fallback", value.hex()]
    return ["other", ""]


def answer(req):
    op = req["op"]
    if op == "sign":
        return {"token": sign(req)}
    if op == "wordlist_path":
        return {"path": flask_unsign_wordlist.get(req["name"])}
    if op == "parse_lines":
        with open(req["path"], "rb") as f:
            return {"lines": [classify(line) for line in f]}
    raise ValueError(f"unknown op {op!r}")


for request_line in sys.stdin:
    print(json.dumps(answer(json.loads(request_line))), flush=True)
