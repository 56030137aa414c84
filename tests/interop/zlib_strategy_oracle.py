"""Oracle for crates/waxseal/tests/inflate_differential.rs: zlib streams that flate2 cannot make.

Reads one JSON object per line on stdin, {"data_hex", "level", "wbits", "mem_level",
"strategy"}, and answers one per line, {"compressed_hex"}: zlib.compressobj with those settings
(strategy is the name of a zlib.Z_* constant, e.g. "Z_FIXED", "Z_RLE", "Z_HUFFMAN_ONLY"), so the
Rust inflater is also tested on every block shape zlib's strategies produce.
"""
import json
import sys
import zlib

for line in sys.stdin:
    if not line.strip():
        continue
    r = json.loads(line)
    c = zlib.compressobj(r["level"], zlib.DEFLATED, r["wbits"], r["mem_level"],
                         getattr(zlib, r["strategy"]))
    out = c.compress(bytes.fromhex(r["data_hex"])) + c.flush()
    sys.stdout.write(json.dumps({"compressed_hex": out.hex()}) + "\n")
sys.stdout.flush()
