//! The own inflater keeps memory within about `limit + 1` bytes of output, like the pinned-zlib
//! path: a zlib bomb small enough to take the own path (at most `OWN_INFLATE_MAX_LEN` bytes) is
//! refused quickly without ever holding more than `limit + 1` bytes, and a stream that really
//! inflates to the limit grows its buffer geometrically but never past `limit + 1` bytes.
//!
//! Peak allocation is measured with the per-thread counting allocator in `support/peak_alloc.rs`.

use std::time::Duration;

use flate2::{Compress, Compression, FlushCompress, Status};
use waxseal::compress::{
    zlib_decompress_capped, zlib_decompress_capped_own, DecompressError, OWN_INFLATE_MAX_LEN,
};

#[path = "support/peak_alloc.rs"]
mod peak_alloc;
use peak_alloc::measure;

const MIB: usize = 1 << 20;

/// zlib at level 9 (the densest bomb).
fn compress(data: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::new(9), true);
    let mut out = Vec::with_capacity(data.len() / 500 + 1024);
    loop {
        let done = c.total_in() as usize;
        let status = c
            .compress_vec(&data[done..], &mut out, FlushCompress::Finish)
            .expect("deflate");
        if status == Status::StreamEnd {
            return out;
        }
        out.reserve(out.capacity());
    }
}

#[test]
fn a_bomb_on_the_own_path_is_refused_fast_within_the_cap() {
    // 16 MB of zeros compresses to about 16 KB: just inside the own path.
    let bomb = compress(&vec![0u8; 16_000_000]);
    assert!(bomb.len() <= OWN_INFLATE_MAX_LEN, "{} bytes", bomb.len());
    for f in [zlib_decompress_capped_own, zlib_decompress_capped] {
        // Warm the per-thread scratch so it is not counted as the call's allocation.
        let _ = f(&bomb, 10);
        let (result, peak, took) = measure(|| f(&bomb, MIB));
        assert_eq!(result, Err(DecompressError::TooLarge { limit: MIB }));
        // The output buffer grows geometrically but is never given more than limit + 1 bytes.
        assert!(peak <= MIB + 1, "peak allocation {peak} bytes");
        for limit in [1000, 100_000, 300_000, 600_000] {
            let (result, peak, _) = measure(|| f(&bomb, limit));
            assert_eq!(result, Err(DecompressError::TooLarge { limit }));
            assert!(
                peak <= limit + 1,
                "limit {limit}: peak allocation {peak} bytes"
            );
        }
        assert!(took < Duration::from_secs(1), "took {took:?}");
    }
}

#[test]
fn output_exactly_at_the_limit_allocates_about_the_limit() {
    let data: Vec<u8> = (0..MIB as u32).map(|i| (i % 251) as u8).collect();
    let packed = compress(&data);
    assert!(
        packed.len() <= OWN_INFLATE_MAX_LEN,
        "{} bytes",
        packed.len()
    );
    let _ = zlib_decompress_capped_own(&packed, 10);
    let (result, peak, _) = measure(|| zlib_decompress_capped_own(&packed, MIB));
    assert_eq!(result.as_deref(), Ok(&data[..]));
    assert!(peak <= MIB + 1, "peak allocation {peak} bytes");
    // A tiny limit stays tiny, however large the stream claims to be.
    let (result, peak, _) = measure(|| zlib_decompress_capped_own(&packed, 100));
    assert_eq!(result, Err(DecompressError::TooLarge { limit: 100 }));
    assert!(peak <= 101, "peak allocation {peak} bytes");
}
