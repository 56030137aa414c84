"""Oracle for Flask 3.1.3 sessions: a real Flask app, driven through its test client.

Requests (one JSON object per line):
  {"op": "save", "secret_hex", "fallbacks_hex": [...Flask list order...], "now": unix,
   "json": "<Flask tagged JSON of the session dict>", "permanent": bool, "config": {...}}
      -> {"set_cookie": "<Set-Cookie header or null>", "cookie": "<value or null>", "vary": "..."}
  {"op": "load", "secret_hex", "fallbacks_hex", "now": unix, "cookie": "<value>", "config": {...}}
      -> {"json": "<Flask tagged JSON of dict(session)>", "empty": bool}
  {"op": "clear", ...same as load} -> the Set-Cookie header Flask sends when the view clears the session
  {"op": "transaction_read", ...same as load} -> what `client.session_transaction()` sees, as tagged JSON
  {"op": "transaction_write", ...same as save} -> the cookie after `session_transaction()` set the data
The clock (itsdangerous's timestamps and Flask's Expires) is pinned to "now".
"""
import json
import sys
from datetime import datetime, timedelta, timezone

import flask.sessions
import itsdangerous.timed
from flask import Flask, request, session
from flask.sessions import session_json_serializer

NOW = {"t": 0}


class FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.fromtimestamp(NOW["t"], tz=tz)


itsdangerous.timed.TimestampSigner.get_timestamp = lambda self: NOW["t"]
flask.sessions.datetime = FrozenDatetime


def make_app(req):
    app = Flask(__name__)
    app.secret_key = bytes.fromhex(req["secret_hex"])
    app.config["SECRET_KEY_FALLBACKS"] = [bytes.fromhex(k) for k in req.get("fallbacks_hex", [])]
    for k, v in (req.get("config") or {}).items():
        if k == "PERMANENT_SESSION_LIFETIME":
            v = timedelta(seconds=v)
        app.config[k] = v

    @app.post("/save")
    def save():
        session.clear()
        session.update(session_json_serializer.loads(request.get_data(as_text=True)))
        if request.args.get("permanent") == "1":
            session.permanent = True
        return ""

    @app.get("/load")
    def load():
        return {"json": session_json_serializer.dumps(dict(session)), "empty": not session}

    @app.get("/clear")
    def clear():
        session.clear()
        return ""

    return app


def set_cookie_of(resp):
    headers = resp.headers.getlist("Set-Cookie")
    return headers[0] if headers else None


def handle(req):
    NOW["t"] = req.get("now", 0)
    app = make_app(req)
    client = app.test_client()
    name = app.config["SESSION_COOKIE_NAME"]
    if req["op"] == "save":
        resp = client.post("/save?permanent=" + ("1" if req.get("permanent") else "0"), data=req["json"])
        header = set_cookie_of(resp)
        cookie = client.get_cookie(name)
        return {"set_cookie": header, "cookie": cookie.value if cookie else None, "vary": resp.headers.get("Vary")}
    if req["op"] == "transaction_write":
        with client.session_transaction() as sess:
            sess.update(session_json_serializer.loads(req["json"]))
            if req.get("permanent"):
                sess.permanent = True
        cookie = client.get_cookie(name)
        return {"cookie": cookie.value if cookie else None}
    client.set_cookie(name, req["cookie"])
    if req["op"] == "transaction_read":
        with client.session_transaction() as sess:
            return {"json": session_json_serializer.dumps(dict(sess)), "empty": not sess}
    if req["op"] == "load":
        return client.get("/load").get_json()
    resp = client.get("/clear")
    return {"set_cookie": set_cookie_of(resp), "vary": resp.headers.get("Vary")}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        try:
            ans = handle(req)
        except Exception as e:
            ans = {"exception": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(ans) + "\n")


if __name__ == "__main__":
    main()
