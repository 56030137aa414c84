"""The Python half of bench/compare-python: times itsdangerous on the same work as waxseal."""
import hashlib
import json
import sys
import time

from itsdangerous import URLSafeTimedSerializer, TimestampSigner

PAYLOAD = json.loads(sys.argv[1])
SECRET = sys.argv[2]
TIMESTAMP = int(sys.argv[3])
BUDGET = float(sys.argv[4])


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


s = URLSafeTimedSerializer(
    SECRET,
    salt="cookie-session",
    signer=FixedClock,
    signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
)
token = s.dumps(PAYLOAD)
print(json.dumps({
    "token": token,
    "sign_per_s": rate(lambda: s.dumps(PAYLOAD)),
    "verify_per_s": rate(lambda: s.loads(token, max_age=10**12)),
}))
