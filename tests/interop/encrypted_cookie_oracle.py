"""Independent decoder/encoder for waxseal encrypted cookies, written from docs/encrypted-cookies.md.

Reads one JSON request per line on stdin, answers one JSON object per line on stdout.

  open (default): {"secret_hex", "fallbacks_hex"?: [...], "cookie_name", "token",
                   "max_age": int|null, "now": int, "skew"?: int}
      -> {"ok": true, "plaintext_hex", "issued_at", "key_index"}
       | {"ok": false, "error": "malformed"|"decryption_failed"|"expired"|"issued_in_future",
          "detail": "..."}
  seal: {"op": "seal", "secret_hex", "cookie_name", "plaintext_hex", "now", "nonce_hex"}
      -> {"ok": true, "token"}
"""

import base64
import binascii
import json
import struct
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.exceptions import InvalidTag

VERSION = 0x01
NONCE_LEN = 24
TAG_LEN = 16
MIN_RAW = 1 + NONCE_LEN + 8 + TAG_LEN  # 49
MAX_TOKEN = 8192
SALT = b"waxseal/encrypted-cookie/salt"
INFO = b"waxseal encrypted-cookie v1"
B64_ALPHABET = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class Fail(Exception):
    def __init__(self, kind, detail=""):
        super().__init__(kind)
        self.kind = kind
        self.detail = detail


def derive(secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=INFO).derive(secret)


def _rotl(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def _qr(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = _rotl(s[b] ^ s[c], 7)


def hchacha20(key: bytes, n16: bytes) -> bytes:
    s = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    s += list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", n16))
    for _ in range(10):
        _qr(s, 0, 4, 8, 12); _qr(s, 1, 5, 9, 13); _qr(s, 2, 6, 10, 14); _qr(s, 3, 7, 11, 15)
        _qr(s, 0, 5, 10, 15); _qr(s, 1, 6, 11, 12); _qr(s, 2, 7, 8, 13); _qr(s, 3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def xchacha(key: bytes, nonce: bytes):
    return ChaCha20Poly1305(hchacha20(key, nonce[:16])), b"\x00\x00\x00\x00" + nonce[16:24]


def ad_for(name: str) -> bytes:
    n = name.encode("utf-8")
    return bytes([VERSION]) + struct.pack(">I", len(n)) + n


def b64_decode_strict(token: str) -> bytes:
    data = token.encode("ascii", "strict") if token.isascii() else None
    if data is None or any(c not in B64_ALPHABET for c in data) or len(data) % 4 == 1:
        raise Fail("malformed", "not unpadded URL-safe base64")
    raw = base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))
    # canonical: re-encoding must give the same text (unused low bits zero)
    if base64.urlsafe_b64encode(raw).rstrip(b"=") != data:
        raise Fail("malformed", "non-canonical base64")
    return raw


def open_token(req):
    token = req["token"]
    if len(token) > MAX_TOKEN:
        raise Fail("malformed", "too long")
    raw = b64_decode_strict(token)
    if len(raw) < MIN_RAW:
        raise Fail("malformed", "too short")
    if raw[0] != VERSION:
        raise Fail("malformed", "unknown version %d" % raw[0])
    nonce, sealed = raw[1:25], raw[25:]
    ad = ad_for(req["cookie_name"])
    keys = [bytes.fromhex(req["secret_hex"])] + [bytes.fromhex(h) for h in req.get("fallbacks_hex", [])]
    for index, secret in enumerate(keys):
        aead, n12 = xchacha(derive(secret), nonce)
        try:
            inner = aead.decrypt(n12, sealed, ad)
        except InvalidTag:
            continue
        (issued_at,) = struct.unpack(">Q", inner[:8])
        max_age, now, skew = req.get("max_age"), req["now"], req.get("skew", 0)
        if max_age is not None:
            if issued_at > now + skew:
                raise Fail("issued_in_future", "issued at %d, now %d" % (issued_at, now))
            if now - issued_at > max_age:
                raise Fail("expired", "issued at %d" % issued_at)
        return {"ok": True, "plaintext_hex": inner[8:].hex(), "issued_at": issued_at,
                "key_index": index}
    raise Fail("decryption_failed")


def seal(req):
    key = derive(bytes.fromhex(req["secret_hex"]))
    nonce = bytes.fromhex(req["nonce_hex"])
    assert len(nonce) == NONCE_LEN
    inner = struct.pack(">Q", req["now"]) + bytes.fromhex(req["plaintext_hex"])
    aead, n12 = xchacha(key, nonce)
    raw = bytes([VERSION]) + nonce + aead.encrypt(n12, inner, ad_for(req["cookie_name"]))
    return {"ok": True, "token": base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            ans = seal(req) if req.get("op") == "seal" else open_token(req)
        except Fail as f:
            ans = {"ok": False, "error": f.kind, "detail": f.detail}
        except (ValueError, binascii.Error) as e:
            ans = {"ok": False, "error": "malformed", "detail": str(e)}
        sys.stdout.write(json.dumps(ans) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
