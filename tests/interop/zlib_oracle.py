"""Oracle for crates/waxseal/tests/zlib_exact.rs: Python's zlib.compress at the default level.

Reads one JSON object per line on stdin, {"data_hex": "..."}, and answers one per line,
{"compressed_hex": "..."}, exactly as itsdangerous' URL-safe serializer would compress it.
"""
import json
import sys
import zlib

for line in sys.stdin:
    if not line.strip():
        continue
    request = json.loads(line)
    data = bytes.fromhex(request["data_hex"])
    answer = {"compressed_hex": zlib.compress(data).hex(), "zlib": zlib.ZLIB_RUNTIME_VERSION}
    sys.stdout.write(json.dumps(answer) + "\n")
sys.stdout.flush()
