"""The Flask 3.1 twin of `waxseal serve`: the same routes, the same cookie, one secret key.

Live interop tests and `bench/serve-vs-flask` start it (werkzeug's server or gunicorn) on
127.0.0.1 next to `waxseal serve` and check that each side reads the other's sessions.

Keys, in this order:
  WAXSEAL_KEYRING=<path>   a waxseal keyring file (docs/keyring-format.md): its current key becomes
                           SECRET_KEY and its fallbacks SECRET_KEY_FALLBACKS (Flask's list is
                           oldest first and tried from its end, the keyring's is newest first);
  otherwise FLASK_SECRET_KEY / FLASK_SECRET_KEY_FALLBACKS and every other FLASK_* variable, read
  by Flask's own `from_prefixed_env()` (which is also applied on top of the keyring).
WAXSEAL_FLASK_SESSION_REDIS=redis://127.0.0.1:PORT switches to Flask-Session's server-side
sessions on that Redis (the anchor of the store benchmark).

Routes (the contract shared with `waxseal serve`):
  GET  /api/session   the session as JSON (tuples as arrays)
  POST /api/session   merges a JSON object into the session, returns the result
  DELETE /api/session clears it
  GET  /api/visit     visits += 1, returns {"visits": n}
  GET  /api/ping      a small JSON body; never touches the session
  GET  /api/flashes   takes the pending flashes: [[category, message], ...]
  POST /api/flash     {"category": c, "message": m} adds a flash
  GET  /api/tagged    the session in Flask's tagged JSON (exact types: tuples, bytes, datetimes)
  POST /api/tagged    merges a dict given in Flask's tagged JSON
  GET  /              a tiny demo page (user, visits, flashes)
"""
import base64
import json
import os
import sys
from datetime import timedelta

from flask import Flask, get_flashed_messages, jsonify, request, session
from flask.sessions import session_json_serializer


def natural(value):
    """Flask's tagged values as plain JSON: tuples as arrays, bytes as base64, datetimes as HTTP dates."""
    if isinstance(value, dict):
        return {k: natural(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [natural(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "__html__"):
        return str(value.__html__())
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    try:
        from werkzeug.http import http_date

        return http_date(value)
    except Exception:
        return str(value)


def load_keyring(app, path):
    with open(path, "rb") as f:
        ring = json.load(f)
    app.config["SECRET_KEY"] = base64.b64decode(ring["current"]["b64"])
    app.config["SECRET_KEY_FALLBACKS"] = [
        base64.b64decode(e["b64"]) for e in reversed(ring.get("fallbacks", []))
    ]


def create_app():
    app = Flask(__name__)
    if os.environ.get("WAXSEAL_KEYRING"):
        load_keyring(app, os.environ["WAXSEAL_KEYRING"])
    app.config.from_prefixed_env()
    if os.environ.get("WAXSEAL_FLASK_SESSION_REDIS"):
        # Server-side sessions with Flask-Session on Redis: the anchor of the store benchmark.
        import redis
        from flask_session import Session

        app.config["SESSION_TYPE"] = "redis"
        app.config["SESSION_REDIS"] = redis.Redis.from_url(os.environ["WAXSEAL_FLASK_SESSION_REDIS"])
        Session(app)
    lifetime = app.config.get("PERMANENT_SESSION_LIFETIME")
    if isinstance(lifetime, int):
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=lifetime)

    @app.get("/api/ping")
    def ping():
        return {"pong": True}

    @app.get("/api/session")
    def get_session():
        return jsonify(natural(dict(session)))

    @app.post("/api/session")
    def post_session():
        body = request.get_json(force=True)
        if not isinstance(body, dict):
            return {"error": "expected a JSON object"}, 400
        session.update(body)
        return jsonify(natural(dict(session)))

    @app.delete("/api/session")
    def delete_session():
        session.clear()
        return jsonify({})

    @app.get("/api/visit")
    def visit():
        session["visits"] = session.get("visits", 0) + 1
        return {"visits": session["visits"]}

    @app.get("/api/flashes")
    def flashes():
        return jsonify([list(f) for f in get_flashed_messages(with_categories=True)])

    @app.post("/api/flash")
    def add_flash():
        from flask import flash

        body = request.get_json(force=True)
        flash(body["message"], body.get("category", "message"))
        return {"ok": True}

    @app.get("/api/tagged")
    def get_tagged():
        return app.response_class(
            session_json_serializer.dumps(dict(session)), mimetype="application/json"
        )

    @app.post("/api/tagged")
    def post_tagged():
        session.update(session_json_serializer.loads(request.get_data(as_text=True)))
        return app.response_class(
            session_json_serializer.dumps(dict(session)), mimetype="application/json"
        )

    @app.get("/")
    def index():
        user = session.get("user")
        lines = [f"<p class=flash>{m}</p>" for m in get_flashed_messages()]
        return f"<h1>Hello {user or 'stranger'}</h1>{''.join(lines)}"

    return app


app = create_app()

if __name__ == "__main__":
    # python flask_demo_app.py PORT: werkzeug's server on 127.0.0.1, for tests.
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5001
    app.run(host="127.0.0.1", port=port, threaded=True)
