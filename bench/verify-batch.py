"""The Python side of bench/verify-batch.

  verify-batch.py make N SECRET NOW OUT   writes N distinct Flask session cookies, one per line,
                                          made by Flask 3.1's own session serializer
  verify-batch.py loads SECRET NOW FILE   times Flask's own loads loop over the cookies in FILE
                                          (max_age = PERMANENT_SESSION_LIFETIME, as Flask
                                          checks), prints {"loads_per_s": ..., "valid": ...}
"""
import json
import sys
import time

from flask import Flask


def serializer(secret):
    app = Flask("verify-batch")
    app.secret_key = secret
    return app, app.session_interface.get_signing_serializer(app)


def make(n, secret, now, out):
    app, s = serializer(secret)
    # itsdangerous stamps int(time.time()); pin it so the cookies are reproducible.
    import itsdangerous.timed as timed

    timed.time.time = lambda: float(now)
    with open(out, "w") as f:
        for i in range(n):
            session = {
                "_user_id": str(1000 + i),
                "_fresh": i % 2 == 0,
                "csrf_token": f"{i * 2654435761 % 2**64:016x}",
            }
            if i % 3 == 0:
                session["_flashes"] = [("message", f"Welcome back, user {i}")]
            if i % 7 == 0:
                session["cart"] = list(range(i % 50))
            f.write(s.dumps(session) + "\n")


def loads(secret, now, path):
    app, s = serializer(secret)
    import itsdangerous.timed as timed

    timed.time.time = lambda: float(now)
    cookies = open(path).read().splitlines()
    max_age = int(app.permanent_session_lifetime.total_seconds())
    valid = 0
    start = time.perf_counter()
    for c in cookies:
        try:
            s.loads(c, max_age=max_age)
            valid += 1
        except Exception:
            pass
    elapsed = time.perf_counter() - start
    print(json.dumps({"loads_per_s": len(cookies) / elapsed, "valid": valid}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        loads(sys.argv[2], int(sys.argv[3]), sys.argv[4])
