"""Oracle for waxseal-crack's interop tests.

Requests (one JSON object per line on stdin), answers one JSON object per line on stdout:

  {"op": "sign", "kind": K, "secret": HEX, "salt": S|null, "derivation": D|null,
   "digest": G|null, "payload": JSON}                   -> {"token": STR}
      K: "flask" (Flask's own session serializer; salt/derivation/digest ignored),
         "serializer", "timed_serializer", "signer", "timestamp_signer".
         null salt/derivation/digest = the class default.
  {"op": "make", "kind": K, "secret": TEXT, "digest": G|null, "payload": JSON,
   "compress": BOOL, "old_epoch": BOOL}                 -> {"token": STR}
      Tokens the way each library makes them with its defaults, for format detection:
      K: "flask" (a Flask app's session interface; digest G via a subclass; "compress" makes a
         large, compressible session), "url_safe_timed", "url_safe", "timed_serializer",
         "serializer", "timestamp_signer", "signer" (itsdangerous classes, default salts; G via
         signer_kwargs/digest_method) and "starlette" (Starlette's SessionMiddleware run on a
         tiny ASGI app, the Set-Cookie value). "old_epoch": the timestamp counts from 2011 as in
         itsdangerous < 1.0 (TimestampSigner.get_timestamp overridden).
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


def old_epoch_timestamp(self):
    # itsdangerous < 1.0: seconds since 2011-01-01.
    import time
    return int(time.time() - 1293840000)


def make(req):
    import asyncio
    kind, secret, payload = req["kind"], req["secret"], req["payload"]
    digest = getattr(hashlib, req["digest"]) if req.get("digest") else None
    if req.get("compress"):
        payload = {"data": "x" * 400, "user": payload}
    if kind == "flask":
        class Interface(SecureCookieSessionInterface):
            if digest is not None:
                digest_method = staticmethod(digest)
        app = flask.Flask("oracle")
        app.secret_key = secret
        serializer = Interface().get_signing_serializer(app)
        if req.get("old_epoch"):
            serializer.signer.get_timestamp = old_epoch_timestamp.__get__(serializer.signer)
            signer_cls = type("OldSigner", (itsdangerous.TimestampSigner,),
                              {"get_timestamp": old_epoch_timestamp})
            serializer = itsdangerous.URLSafeTimedSerializer(
                secret, salt="cookie-session", serializer=serializer.serializer,
                signer=signer_cls, signer_kwargs=serializer.signer_kwargs)
        return serializer.dumps(payload)
    signer_kwargs = {"digest_method": digest} if digest is not None else {}
    if kind == "starlette":
        from starlette.middleware.sessions import SessionMiddleware

        async def app(scope, receive, send):
            scope["session"].update(payload)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        middleware = SessionMiddleware(app, secret_key=secret)
        sent = []

        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/", "headers": [],
                 "query_string": b"", "root_path": "", "scheme": "http",
                 "server": ("127.0.0.1", 80)}
        asyncio.run(middleware(scope, receive, send))
        for name, value in sent[0]["headers"]:
            if name == b"set-cookie":
                return value.decode().split(";")[0].split("=", 1)[1]
        raise RuntimeError("no cookie set")
    if kind in ("url_safe_timed", "url_safe", "timed_serializer", "serializer"):
        cls = {"url_safe_timed": itsdangerous.URLSafeTimedSerializer,
               "url_safe": itsdangerous.URLSafeSerializer,
               "timed_serializer": itsdangerous.TimedSerializer,
               "serializer": itsdangerous.Serializer}[kind]
        s = cls(secret, signer_kwargs=signer_kwargs)
        if req.get("old_epoch") and kind in ("url_safe_timed", "timed_serializer"):
            s.default_signer = type("OldSigner", (itsdangerous.TimestampSigner,),
                                    {"get_timestamp": old_epoch_timestamp})
        token = s.dumps(payload)
        return token if isinstance(token, str) else token.decode()
    cls = itsdangerous.TimestampSigner if kind == "timestamp_signer" else itsdangerous.Signer
    if req.get("old_epoch") and kind == "timestamp_signer":
        cls = type("OldSigner", (itsdangerous.TimestampSigner,), {"get_timestamp": old_epoch_timestamp})
    value = payload if isinstance(payload, str) else json.dumps(payload)
    return cls(secret, **signer_kwargs).sign(value).decode()


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
    if op == "make":
        return {"token": make(req)}
    if op == "wordlist_path":
        return {"path": flask_unsign_wordlist.get(req["name"])}
    if op == "parse_lines":
        with open(req["path"], "rb") as f:
            return {"lines": [classify(line) for line in f]}
    raise ValueError(f"unknown op {op!r}")


for request_line in sys.stdin:
    print(json.dumps(answer(json.loads(request_line))), flush=True)
