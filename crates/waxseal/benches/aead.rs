//! Measures the two AEAD candidates for `waxseal::encrypted` on a cookie-sized payload.
//!
//! The figures and the choice they led to are written down in `docs/encrypted-cookies.md`.
//! Run with `cargo bench -p waxseal --bench aead`.
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use chacha20poly1305::XChaCha20Poly1305;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

/// About the size of a small Flask session (user id, CSRF token, a flash message).
const PAYLOAD_LEN: usize = 200;
const AD: &[u8] = b"\x01\x00\x00\x00\x07session";

fn bench_aead(c: &mut Criterion) {
    let key = [0x42u8; 32];
    let payload = vec![0x61u8; PAYLOAD_LEN];
    let mut group = c.benchmark_group("aead_200B");
    group.throughput(Throughput::Bytes(PAYLOAD_LEN as u64));

    let gcm = Aes256Gcm::new_from_slice(&key).expect("32-byte key");
    let gcm_nonce = aes_gcm::Nonce::from([7u8; 12]);
    let gcm_ct = gcm
        .encrypt(
            &gcm_nonce,
            Payload {
                msg: &payload,
                aad: AD,
            },
        )
        .expect("encrypt");
    group.bench_function("aes256gcm_encrypt", |b| {
        b.iter(|| {
            gcm.encrypt(
                &gcm_nonce,
                Payload {
                    msg: black_box(&payload),
                    aad: AD,
                },
            )
        })
    });
    group.bench_function("aes256gcm_decrypt", |b| {
        b.iter(|| {
            gcm.decrypt(
                &gcm_nonce,
                Payload {
                    msg: black_box(&gcm_ct),
                    aad: AD,
                },
            )
        })
    });

    let xc = XChaCha20Poly1305::new_from_slice(&key).expect("32-byte key");
    let xc_nonce = chacha20poly1305::XNonce::from([7u8; 24]);
    let xc_ct = xc
        .encrypt(
            &xc_nonce,
            Payload {
                msg: &payload,
                aad: AD,
            },
        )
        .expect("encrypt");
    group.bench_function("xchacha20poly1305_encrypt", |b| {
        b.iter(|| {
            xc.encrypt(
                &xc_nonce,
                Payload {
                    msg: black_box(&payload),
                    aad: AD,
                },
            )
        })
    });
    group.bench_function("xchacha20poly1305_decrypt", |b| {
        b.iter(|| {
            xc.decrypt(
                &xc_nonce,
                Payload {
                    msg: black_box(&xc_ct),
                    aad: AD,
                },
            )
        })
    });

    // The whole cookie path also pays for key setup if done per call; the codec derives once.
    group.bench_function("aes256gcm_key_setup", |b| {
        b.iter(|| Aes256Gcm::new_from_slice(black_box(&key)))
    });
    group.bench_function("xchacha20poly1305_key_setup", |b| {
        b.iter(|| XChaCha20Poly1305::new_from_slice(black_box(&key)))
    });
    group.finish();

    // The whole cookie path as shipped: XChaCha20-Poly1305 + timestamp + AD + base64url.
    let ring = waxseal::secret::Keyring::generate().expect("OS RNG");
    let codec = waxseal::encrypted::EncryptedCookieCodec::new(&ring);
    let token = codec
        .seal_at("session", &payload, 1_700_000_000)
        .expect("seal");
    let mut group = c.benchmark_group("codec_200B");
    group.throughput(Throughput::Bytes(PAYLOAD_LEN as u64));
    group.bench_function("seal", |b| {
        b.iter(|| codec.seal_at("session", black_box(&payload), 1_700_000_000))
    });
    group.bench_function("open", |b| {
        b.iter(|| codec.open_at("session", black_box(&token), Some(60), 1_700_000_010))
    });
    group.bench_function("new_codec_1_key", |b| {
        b.iter(|| waxseal::encrypted::EncryptedCookieCodec::new(black_box(&ring)))
    });
    group.finish();
}

criterion_group!(benches, bench_aead);
criterion_main!(benches);
