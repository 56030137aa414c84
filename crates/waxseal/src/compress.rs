//! PLACEHOLDER until the exact-zlib module lands: real zlib through flate2.
#![allow(missing_docs)]
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecompressError {
    TooLarge { limit: usize },
    Corrupt(String),
}

pub fn zlib_compress(input: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::new(6), true);
    let mut out = Vec::with_capacity(input.len() + 64);
    loop {
        match c.compress_vec(
            &input[c.total_in() as usize..],
            &mut out,
            FlushCompress::Finish,
        ) {
            Ok(Status::StreamEnd) => return out,
            _ => out.reserve(out.capacity().max(64)),
        }
    }
}

pub fn compress_if_smaller(json: &[u8]) -> Option<Vec<u8>> {
    let z = zlib_compress(json);
    (z.len() + 1 < json.len()).then_some(z)
}

pub fn zlib_decompress_capped(input: &[u8], limit: usize) -> Result<Vec<u8>, DecompressError> {
    let mut d = Decompress::new(true);
    let mut out = Vec::with_capacity(input.len().saturating_mul(4).min(limit) + 1);
    loop {
        if out.len() > limit {
            return Err(DecompressError::TooLarge { limit });
        }
        if out.len() == out.capacity() {
            out.reserve((out.len()).clamp(64, limit + 1 - out.len().min(limit)));
        }
        let before = (d.total_in(), d.total_out());
        match d.decompress_vec(
            &input[d.total_in() as usize..],
            &mut out,
            FlushDecompress::Finish,
        ) {
            Ok(Status::StreamEnd) => {
                return if out.len() > limit {
                    Err(DecompressError::TooLarge { limit })
                } else {
                    Ok(out)
                }
            }
            Ok(_) if (d.total_in(), d.total_out()) == before && out.len() < out.capacity() => {
                return Err(DecompressError::Corrupt("truncated stream".into()))
            }
            Ok(_) => {}
            Err(e) => return Err(DecompressError::Corrupt(e.to_string())),
        }
    }
}
