"""Oracle for itsdangerous 2.2: signs and unsigns on request, one JSON object per line.

Request fields:
  op:     "sign" | "unsign"
  kind:   "signer" | "timestamp_signer" | "serializer" | "timed_serializer"
          | "url_safe" | "url_safe_timed"
  keys:   hex secret keys in waxseal's order: current first, then fallbacks in trial order
  salt:   hex or null (the class default)
  sep, key_derivation, digest: optional signer settings
  fallback_signers: optional list of {"digest":..., "key_derivation":...}
  timestamp: signing time for sign (timed kinds); now: the clock for unsign
  value_hex (signer kinds) or json (serializer kinds: the object is json.loads(json))
  token, max_age (unsign)
Answers: {"token": ...} or {"ok": bool, ...} (see unsign below).
"""
import hashlib
import json
import sys

from itsdangerous import (
    BadPayload,
    BadSignature,
    BadTimeSignature,
    Serializer,
    SignatureExpired,
    Signer,
    TimedSerializer,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)

CLOCK = {"now": 0}


class FixedClockSigner(TimestampSigner):
    def get_timestamp(self):
        return CLOCK["now"]


def signer_kwargs(req):
    kw = {}
    if req.get("sep") is not None:
        kw["sep"] = req["sep"]
    if req.get("key_derivation") is not None:
        kw["key_derivation"] = req["key_derivation"]
    if req.get("digest") is not None:
        kw["digest_method"] = getattr(hashlib, req["digest"])
    return kw


def build(req, keys):
    kind = req["kind"]
    salt = bytes.fromhex(req["salt"]) if req.get("salt") is not None else None
    kw = signer_kwargs(req)
    if kind in ("signer", "timestamp_signer"):
        cls = Signer if kind == "signer" else FixedClockSigner
        if salt is not None:
            kw["salt"] = salt
        return cls(keys, **kw)
    cls = {
        "serializer": Serializer,
        "timed_serializer": TimedSerializer,
        "url_safe": URLSafeSerializer,
        "url_safe_timed": URLSafeTimedSerializer,
    }[kind]
    args = {"signer_kwargs": kw}
    if kind.endswith("timed") or kind == "timed_serializer":
        args["signer"] = FixedClockSigner
    if salt is not None:
        args["salt"] = salt
    fallbacks = []
    for fb in req.get("fallback_signers") or []:
        fkw = dict(kw)
        fkw.update(signer_kwargs(fb))
        fallbacks.append(fkw)
    if fallbacks:
        args["fallback_signers"] = fallbacks
    return cls(keys, **args)


def python_keys(req):
    # itsdangerous wants oldest..newest with the newest (last) signing; waxseal lists the
    # current key first, then fallbacks in trial order, which is the reverse.
    return [bytes.fromhex(k) for k in reversed(req["keys"])]


def to_hex(b):
    return b.hex() if isinstance(b, (bytes, bytearray)) else None


def unsign(req):
    keys = python_keys(req)
    obj = build(req, keys)
    CLOCK["now"] = req.get("now") or 0
    token = bytes.fromhex(req["token_hex"]) if req.get("token_hex") else req["token"]
    kind = req["kind"]
    max_age = req.get("max_age")
    try:
        if kind == "signer":
            value, ts = obj.unsign(token), None
            out = {"value_hex": value.hex()}
        elif kind == "timestamp_signer":
            value, dt = obj.unsign(token, max_age=max_age, return_timestamp=True)
            out = {"value_hex": value.hex(), "timestamp": int(dt.timestamp())}
        elif kind in ("serializer", "url_safe"):
            out = {"json": json.dumps(obj.loads(token))}
        else:
            payload, dt = obj.loads(token, max_age=max_age, return_timestamp=True)
            out = {"json": json.dumps(payload), "timestamp": int(dt.timestamp())}
    except SignatureExpired as e:
        return {"ok": False, "error": "expired", "payload_hex": to_hex(e.payload),
                "timestamp": int(e.date_signed.timestamp()) if e.date_signed else None}
    except BadTimeSignature as e:
        return {"ok": False, "error": "bad_time_signature", "message": str(e),
                "payload_hex": to_hex(e.payload),
                "timestamp": int(e.date_signed.timestamp()) if e.date_signed else None}
    except BadSignature as e:
        return {"ok": False, "error": "bad_signature", "message": str(e), "payload_hex": to_hex(e.payload)}
    except BadPayload as e:
        return {"ok": False, "error": "bad_payload", "message": str(e)}
    # Which key verified it: itsdangerous does not say, so try each key alone, current first.
    out["key_index"] = None
    for i, k in enumerate(req["keys"]):
        single = dict(req, keys=[k])
        try:
            o = build(single, [bytes.fromhex(k)])
            if kind == "signer":
                o.unsign(token)
            elif kind == "timestamp_signer":
                o.unsign(token)
            else:
                o.loads(token)
            out["key_index"] = i
            break
        except Exception:
            continue
    out["ok"] = True
    return out


def sign(req):
    keys = python_keys(req)
    obj = build(req, keys)
    CLOCK["now"] = req.get("timestamp") or 0
    if req["kind"] in ("signer", "timestamp_signer"):
        return {"token_hex": obj.sign(bytes.fromhex(req["value_hex"])).hex()}
    token = obj.dumps(json.loads(req["json"]))
    return {"token": token}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        try:
            ans = {"sign": sign, "unsign": unsign}[req["op"]](req)
        except Exception as e:  # report, do not die: the Rust side shows it
            ans = {"exception": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(ans) + "\n")


if __name__ == "__main__":
    main()
