"""Oracle for waxseal's Flask JSON / Python json dialect tests.

Reads one JSON request per line on stdin, answers one JSON object per line on stdout.

Python values travel in a small typed encoding (see `dec`/`enc`):
  null/true/false, "str", [list], {"int": "123"}, {"float": "1e+16"|"nan"|"inf"},
  {"tuple": [...]}, {"bytes": "hex"}, {"uuid": "hex"}, {"datetime": unix_seconds},
  {"markup": "text"}, {"dict": [[key, value], ...]}  (keys are plain strings)

Requests:
  {"op": "dumps", "value": V}          -> Flask's session serializer (in an app context)
  {"op": "loads", "json": S}           -> session_json_serializer.loads(S)
  {"op": "pydumps", "style": "default"|"compact"|"flask", "value": V}
  {"op": "pyloads", "json": S}         -> json.loads(S)
Answers: {"ok": ...} or {"err": "ExceptionType: message"}.
"""
import json
import sys
import uuid
from datetime import datetime, timedelta, timezone

from flask import Flask
from flask.sessions import session_json_serializer
from markupsafe import Markup

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

app = Flask("waxseal_oracle")
# Flask saves sessions inside an app context: flask.json.dumps then uses app.json (sort_keys...).
app.app_context().push()
SERIALIZER = app.session_interface.serializer
assert SERIALIZER is session_json_serializer


def dec(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, list):
        return [dec(x) for x in v]
    (kind, x), = v.items()
    if kind == "int":
        return int(x)
    if kind == "float":
        return float(x)
    if kind == "tuple":
        return tuple(dec(i) for i in x)
    if kind == "bytes":
        return bytes.fromhex(x)
    if kind == "uuid":
        return uuid.UUID(hex=x)
    if kind == "datetime":
        return EPOCH + timedelta(seconds=x)
    if kind == "markup":
        return Markup(x)
    if kind == "dict":
        return {k: dec(i) for k, i in x}
    raise ValueError(f"unknown kind {kind}")


def enc(v):
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, Markup):
        return {"markup": str(v)}
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            return {"surrogates": ascii(v)}
        return v
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": repr(v)}
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, tuple):
        return {"tuple": [enc(x) for x in v]}
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, uuid.UUID):
        return {"uuid": v.hex}
    if isinstance(v, datetime):
        return {"datetime": (v - EPOCH) // timedelta(seconds=1)}
    if isinstance(v, dict):
        return {"dict": [[enc(k), enc(x)] for k, x in v.items()]}
    raise TypeError(f"cannot encode {type(v)}")


STYLES = {
    "default": {},
    "compact": {"separators": (",", ":"), "ensure_ascii": False},
    "flask": {"separators": (",", ":"), "sort_keys": True},
}


def handle(req):
    op = req["op"]
    if op == "dumps":
        return SERIALIZER.dumps(dec(req["value"]))
    if op == "loads":
        return enc(SERIALIZER.loads(req["json"]))
    if op == "pydumps":
        return json.dumps(dec(req["value"]), **STYLES[req["style"]])
    if op == "pyloads":
        return enc(json.loads(req["json"]))
    raise ValueError(f"unknown op {op}")


sys.setrecursionlimit(10000)
for line in sys.stdin:
    req = json.loads(line)
    try:
        ans = {"ok": handle(req)}
    except Exception as e:  # noqa: BLE001 - every failure is an answer
        ans = {"err": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(ans) + "\n")
