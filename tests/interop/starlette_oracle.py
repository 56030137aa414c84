"""Oracle for Starlette's SessionMiddleware (the pinned starlette, itsdangerous underneath).

Requests (one JSON object per line on stdin), answers one JSON object per line on stdout:

  {"op": "cookie", "secret": TEXT, "session": OBJECT, "timestamp": UNIX}
      -> {"cookie": STR}
      The session cookie value the real middleware sets when an app puts OBJECT in
      request.session, signed at UNIX (the signer's clock fixed).
  {"op": "read", "secret": TEXT, "cookie": STR, "now": UNIX, "max_age": SECS|null|absent}
      -> {"session": OBJECT, "error": null} or {"session": null, "error": EXCEPTION_NAME}
      What the real middleware gives the app for a request carrying the cookie, as of UNIX
      (max_age absent: the middleware's default). A refused cookie (bad signature, expired)
      gives the empty session {}; an exception the middleware lets through (a genuine
      signature over a payload that is not base64 JSON) is named.
"""
import asyncio
import json
import sys

from starlette.middleware.sessions import SessionMiddleware


def run(middleware, headers):
    seen = {}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers,
             "query_string": b"", "root_path": "", "scheme": "http",
             "server": ("127.0.0.1", 80)}
    asyncio.run(middleware(scope, receive, send))
    return sent


def cookie(req):
    async def app(scope, receive, send):
        scope["session"].update(req["session"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    middleware = SessionMiddleware(app, secret_key=req["secret"])
    middleware.signer.get_timestamp = lambda: req["timestamp"]
    for name, value in run(middleware, [])[0]["headers"]:
        if name == b"set-cookie":
            return {"cookie": value.decode().split(";")[0].split("=", 1)[1]}
    raise RuntimeError("no cookie set")


def read(req):
    got = {}

    async def app(scope, receive, send):
        got["session"] = dict(scope["session"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    kwargs = {"max_age": req["max_age"]} if "max_age" in req else {}
    middleware = SessionMiddleware(app, secret_key=req["secret"], **kwargs)
    middleware.signer.get_timestamp = lambda: req["now"]
    headers = [(b"cookie", ("session=" + req["cookie"]).encode())]
    try:
        run(middleware, headers)
    except Exception as e:  # what the middleware lets through
        return {"session": None, "error": type(e).__name__}
    return {"session": got["session"], "error": None}


def answer(req):
    op = req["op"]
    if op == "cookie":
        return cookie(req)
    if op == "read":
        return read(req)
    raise ValueError(f"unknown op {op!r}")


for request_line in sys.stdin:
    print(json.dumps(answer(json.loads(request_line))), flush=True)
