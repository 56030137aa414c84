"""The Python half of bench/compare-python: times itsdangerous on the same work as waxseal."""
import hashlib
import json
import sys
import time

from itsdangerous import URLSafeTimedSerializer, TimestampSigner

WORKLOAD = sys.argv[1]
PAYLOAD_TEXT = sys.argv[2]
SECRET = sys.argv[3]
TIMESTAMP = int(sys.argv[4])
BUDGET = float(sys.argv[5])


class FixedClock(TimestampSigner):
    def get_timestamp(self):
        return TIMESTAMP


def rate(fn):
    for _ in range(200):
        fn()
    n, start = 0, time.perf_counter()
    while True:
        for _ in range(500):
            fn()
        n += 500
        elapsed = time.perf_counter() - start
        if elapsed >= BUDGET:
            return n / elapsed


def itsdangerous():
    payload = json.loads(PAYLOAD_TEXT)
    s = URLSafeTimedSerializer(
        SECRET,
        salt="cookie-session",
        signer=FixedClock,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    token = s.dumps(payload)
    return {
        "token": token,
        "sign_per_s": rate(lambda: s.dumps(payload)),
        "verify_per_s": rate(lambda: s.loads(token, max_age=10**12)),
    }


def flask():
    # Flask's own session serializer (SecureCookieSessionInterface), inside an app context so
    # Flask's JSON provider (sorted keys) is the one in use, with the clock pinned.
    from flask import Flask

    TimestampSigner.get_timestamp = lambda self: TIMESTAMP
    app = Flask(__name__)
    app.secret_key = SECRET
    with app.app_context():
        s = app.session_interface.get_signing_serializer(app)
        session = s.serializer.loads(PAYLOAD_TEXT)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        token = s.dumps(session)
        return {
            "token": token,
            "sign_per_s": rate(lambda: s.dumps(session)),
            "verify_per_s": rate(lambda: s.loads(token, max_age=max_age)),
        }


result = {"itsdangerous": itsdangerous, "flask": flask}[WORKLOAD]()
result["python"] = sys.version.split()[0]
print(json.dumps(result))
