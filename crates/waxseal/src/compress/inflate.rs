//! A zlib (RFC 1950) / DEFLATE (RFC 1951) inflater for small streams, such as session cookies,
//! that reports exactly what the system zlib would.
//!
//! Why not just zlib: for a cookie of a hundred compressed bytes, zlib spends most of its time on
//! fixed costs (resetting its state, building 2^9-entry tables per dynamic block, copying output
//! into its 32 KiB window, and the byte-at-a-time slow path it uses near the end of the output
//! buffer). This decoder keeps the whole output in one buffer (so there is no window), uses
//! precomputed tables for fixed-Huffman blocks, and for dynamic blocks builds root tables only as
//! large as the block's longest code (at most 2^10 entries), decoding the rare longer codes
//! canonically from counts and sorted symbols (as zlib's `contrib/puff` does).
//!
//! Observable behaviour is zlib 1.2.13's `inflate()` as driven by
//! [`super::zlib_decompress_capped_system`], which this module must match for every input:
//!
//! * zlib asks for input lazily, so a stream that ends early is reported as truncated only if
//!   zlib would have needed the missing bits before it found an error. We read past the end as
//!   zero bits and check, after every consumption and before every decision, whether the bits
//!   consumed so far exceed the input (`Bits::overrun`). That is the same point at which zlib
//!   would find it has run out.
//! * The caller's buffer holds `limit + 1` bytes. zlib fills it, then keeps decoding until it
//!   needs to write another byte or read another byte, or finds an error, or reaches the end of
//!   the stream; only an error there changes the outcome (to "corrupt"), everything else is
//!   "too large". [`Inflater::stall`] makes that call.
//! * The error texts are zlib's own `strm->msg` strings.

use super::DecompressError;

/// Why decoding stopped before the end of the stream.
#[derive(Debug)]
enum Stop {
    /// The output reached `limit + 1` bytes.
    TooLarge,
    /// The input ended before the stream did.
    Truncated,
    /// The stream is invalid; zlib's message.
    Corrupt(&'static str),
}

/// Result of one decoding step.
type Step<T = ()> = Result<T, Stop>;

// ---------------------------------------------------------------------------------------------
// Decoding-table entries: one `u32` per root-table slot.
//   bits 0..4   code length in bits (what to consume)
//   bits 4..8   extra bits that follow (length or distance codes)
//   bits 8..11  kind (below)
//   bits 16..32 value: literal byte, length or distance base, or code-length symbol
// ---------------------------------------------------------------------------------------------

/// A literal byte (or, in the code-length code, a code-length symbol).
const K_LIT: u32 = 0;
/// A length (literal/length code) or distance (distance code) with extra bits.
const K_COPY: u32 = 1;
/// End of block.
const K_EOB: u32 = 2;
/// A code that zlib rejects when decoded (fixed-code symbols 286, 287, 30, 31, or the unused
/// half of an incomplete code).
const K_BAD: u32 = 3;
/// The slot is the root-table prefix of codes longer than the table: decode canonically.
const K_LONG: u32 = 4;

/// Makes a table entry.
const fn entry(kind: u32, value: u32, extra: u32, len: u32) -> u32 {
    (value << 16) | (kind << 8) | (extra << 4) | len
}

/// The kind of an entry.
#[inline(always)]
fn kind(e: u32) -> u32 {
    (e >> 8) & 7
}

/// Length base for length symbols 257..=285 (RFC 1951 3.2.5).
const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
/// Extra bits for length symbols 257..=285.
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Distance base for distance symbols 0..=29.
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
/// Extra bits for distance symbols 0..=29.
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order in which a dynamic block sends the code-length code's lengths.
const CLEN_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// Which alphabet a code decodes; decides what a symbol's table entry says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Alphabet {
    /// The code-length code (symbols 0..=18).
    CodeLengths,
    /// Literals, end of block and lengths (symbols 0..=287).
    LitLen,
    /// Distances (symbols 0..=31).
    Dist,
}

/// The table entry for `sym`, coded in `len` bits.
const fn symbol_entry(alphabet: Alphabet, sym: usize, len: u32) -> u32 {
    match alphabet {
        Alphabet::CodeLengths => entry(K_LIT, sym as u32, 0, len),
        Alphabet::LitLen => {
            if sym < 256 {
                entry(K_LIT, sym as u32, 0, len)
            } else if sym == 256 {
                entry(K_EOB, 0, 0, len)
            } else if sym - 257 < LEN_BASE.len() {
                let i = sym - 257;
                entry(K_COPY, LEN_BASE[i] as u32, LEN_EXTRA[i] as u32, len)
            } else {
                // 286 and 287 exist only in the fixed code; zlib rejects them once decoded.
                entry(K_BAD, 0, 0, len)
            }
        }
        Alphabet::Dist => {
            if sym < DIST_BASE.len() {
                entry(K_COPY, DIST_BASE[sym] as u32, DIST_EXTRA[sym] as u32, len)
            } else {
                entry(K_BAD, 0, 0, len)
            }
        }
    }
}

/// Root-table size for literal/length codes (2^10 slots; a block uses 2^min(longest code, 10)).
const LIT_TABLE: usize = 1 << 10;
/// Root-table size for distance codes.
const DIST_TABLE: usize = 1 << 8;
/// Root-table size for the code-length code (its codes are at most 7 bits).
const CLEN_TABLE: usize = 1 << 7;
/// Longest code DEFLATE allows.
const MAX_BITS: usize = 15;

/// A code in canonical form: how many codes have each length, and the symbols ordered by code.
/// Used only for codes longer than the root table.
#[derive(Clone)]
struct Canonical {
    /// `counts[len]`: number of symbols with a code of `len` bits (`counts[0]` unused).
    counts: [u16; MAX_BITS + 1],
    /// Symbols with nonzero length, by length and then by symbol value (= in code order).
    symbols: [u16; 288],
}

impl Canonical {
    /// A code with no symbols (the fixed codes never need one: their tables have no long slots).
    const EMPTY: Canonical = Canonical {
        counts: [0; MAX_BITS + 1],
        symbols: [0; 288],
    };

    /// Decodes the symbol whose code starts at the low bit of `buf`, bit by bit; returns it with
    /// its code length, or `None` if no code matches (impossible for the complete codes that can
    /// have long slots, but cheap to handle).
    #[cold]
    fn decode(&self, buf: u64) -> Option<(usize, u32)> {
        // Canonical codes are sent most significant bit first, so the code grows one bit at a
        // time; `first` is the first code of the current length, `index` its symbol's position.
        let (mut code, mut first, mut index) = (0usize, 0usize, 0usize);
        for len in 1..=MAX_BITS {
            code |= ((buf >> (len - 1)) & 1) as usize;
            let count = usize::from(*self.counts.get(len)?);
            if code < first + count {
                let sym = *self.symbols.get(index + (code - first))?;
                return Some((usize::from(sym), len as u32));
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        None
    }
}

/// Decoding tables for one block: literal/length and distance codes.
#[derive(Clone)]
struct Tables {
    /// Literal/length root table, indexed by the next `lit_mask.count_ones()` stream bits.
    lit: [u32; LIT_TABLE],
    /// `2^root - 1` for `lit`.
    lit_mask: usize,
    /// Distance root table.
    dist: [u32; DIST_TABLE],
    /// `2^root - 1` for `dist`.
    dist_mask: usize,
    /// The literal/length code, for slots marked [`K_LONG`].
    lit_long: Canonical,
    /// The distance code, for slots marked [`K_LONG`].
    dist_long: Canonical,
}

/// Fills a root table for a complete code at compile time (the fixed codes).
const fn const_table<const N: usize>(lens: &[u8], alphabet: Alphabet, root: u32) -> [u32; N] {
    let mut table = [0u32; N];
    let mut counts = [0u32; MAX_BITS + 1];
    let mut i = 0;
    while i < lens.len() {
        counts[lens[i] as usize] += 1;
        i += 1;
    }
    // next_code[len]: first canonical code of each length (RFC 1951 3.2.2); counts[0] counts
    // unused symbols and takes no part.
    let mut next_code = [0u32; MAX_BITS + 1];
    let mut len = 1;
    let mut code = 0u32;
    while len <= MAX_BITS {
        next_code[len] = code;
        code = (code + counts[len]) << 1;
        len += 1;
    }
    let mut sym = 0;
    while sym < lens.len() {
        let l = lens[sym] as u32;
        if l != 0 {
            let rev = ((next_code[l as usize] as u16).reverse_bits() >> (16 - l)) as usize;
            next_code[l as usize] += 1;
            let e = symbol_entry(alphabet, sym, l);
            let mut slot = rev;
            while slot < (1 << root) {
                table[slot] = e;
                slot += 1 << l;
            }
        }
        sym += 1;
    }
    table
}

/// Code lengths of the fixed literal/length code (RFC 1951 3.2.6).
const fn fixed_lit_lens() -> [u8; 288] {
    let mut lens = [0u8; 288];
    let mut i = 0;
    while i < 288 {
        lens[i] = if i < 144 {
            8
        } else if i < 256 {
            9
        } else if i < 280 {
            7
        } else {
            8
        };
        i += 1;
    }
    lens
}

/// The fixed-Huffman tables, built at compile time. Their codes are at most 9 bits, so no slot
/// is [`K_LONG`] and the canonical forms are never consulted.
static FIXED: Tables = Tables {
    lit: const_table::<LIT_TABLE>(&fixed_lit_lens(), Alphabet::LitLen, 9),
    lit_mask: (1 << 9) - 1,
    dist: const_table::<DIST_TABLE>(&[5; 32], Alphabet::Dist, 5),
    dist_mask: (1 << 5) - 1,
    lit_long: Canonical::EMPTY,
    dist_long: Canonical::EMPTY,
};

/// Builds the root table (and canonical form) of the code with lengths `lens`, with root
/// `min(longest code, root_max)`; returns `2^root - 1`.
///
/// Accepts exactly what zlib's `inflate_table` accepts: no over-subscribed set, and no incomplete
/// set except a single one-bit code for literal/length or distance codes. A set with no codes at
/// all is accepted with a one-bit table whose slots are "bad" (so zlib reports the error only if a
/// symbol is decoded), except that for the code-length code zlib's marker decodes as length 0,
/// consuming one bit.
fn build(
    lens: &[u8],
    alphabet: Alphabet,
    root_max: u32,
    table: &mut [u32],
    long: &mut Canonical,
) -> Result<usize, ()> {
    let counts = &mut long.counts;
    *counts = [0; MAX_BITS + 1];
    for &l in lens {
        // Lengths come from 3-bit fields or code-length symbols 0..=15, so `& 15` changes nothing.
        counts[usize::from(l & 15)] += 1;
    }
    let Some(max) = (1..=MAX_BITS).rev().find(|&l| counts[l] != 0) else {
        let marker = match alphabet {
            Alphabet::CodeLengths => entry(K_LIT, 0, 0, 1),
            Alphabet::LitLen | Alphabet::Dist => entry(K_BAD, 0, 0, 1),
        };
        table.get_mut(..2).ok_or(())?.fill(marker);
        return Ok(1);
    };
    // Over-subscribed or (disallowed) incomplete?
    let mut left: i32 = 1;
    for &count in &counts[1..] {
        left = (left << 1) - i32::from(count);
        if left < 0 {
            return Err(());
        }
    }
    if left > 0 && (alphabet == Alphabet::CodeLengths || max != 1) {
        return Err(());
    }
    let root = (max as u32).min(root_max);
    let size = 1usize << root;
    let table = table.get_mut(..size).ok_or(())?;

    // Sort symbols by length (counting sort); within a length, by symbol value.
    let mut offsets = [0u16; MAX_BITS + 2];
    for len in 1..=MAX_BITS {
        offsets[len + 1] = offsets[len] + counts[len];
    }
    for (sym, &l) in lens.iter().enumerate() {
        if l != 0 {
            let slot = &mut offsets[usize::from(l & 15)];
            *long.symbols.get_mut(usize::from(*slot)).ok_or(())? = sym as u16;
            *slot += 1;
        }
    }

    // Assign canonical codes in order and fill the root table. Codes are sent MSB first but
    // read from the low end of the bit buffer, so table indices are bit-reversed codes.
    let mut code = 0u32;
    let mut index = 0usize;
    for len in 1..=max {
        let count = usize::from(long.counts[len]);
        let syms = long.symbols.get(index..index + count).ok_or(())?;
        index += count;
        let len = len as u32;
        if len <= root {
            for &sym in syms {
                let rev = usize::from((code as u16).reverse_bits() >> (16 - len));
                let e = symbol_entry(alphabet, usize::from(sym), len);
                for slot in table.get_mut(rev..).ok_or(())?.iter_mut().step_by(1 << len) {
                    *slot = e;
                }
                code += 1;
            }
        } else {
            // All codes of this length share root prefixes with their neighbours; mark each
            // prefix's slot once per code (cheap, and long codes are few).
            for _ in syms {
                let prefix = (code >> (len - root)) as u16;
                let rev = usize::from(prefix.reverse_bits() >> (16 - root));
                *table.get_mut(rev).ok_or(())? = entry(K_LONG, 0, 0, 0);
                code += 1;
            }
        }
        code <<= 1;
    }
    if left > 0 {
        // The one allowed incomplete code: a single 1-bit code (code 0); bit 1 is invalid.
        *table.get_mut(1).ok_or(())? = entry(K_BAD, 0, 0, 1);
    }
    Ok(size - 1)
}

/// Scratch space for dynamic blocks, kept per thread so a call does not have to clear ~7 KiB.
struct Dynamic {
    /// The block's decoding tables.
    tables: Tables,
    /// Code-length code root table.
    clen: [u32; CLEN_TABLE],
    /// Its canonical form (unused: its codes fit the table; `build` needs somewhere to sort).
    clen_long: Canonical,
    /// Literal/length then distance code lengths (at most 286 + 30).
    lens: [u8; 320],
}

impl Dynamic {
    /// Fresh scratch space (contents are always rebuilt before use).
    fn new() -> Box<Dynamic> {
        Box::new(Dynamic {
            tables: Tables {
                lit: [0; LIT_TABLE],
                lit_mask: 0,
                dist: [0; DIST_TABLE],
                dist_mask: 0,
                lit_long: Canonical::EMPTY,
                dist_long: Canonical::EMPTY,
            },
            clen: [0; CLEN_TABLE],
            clen_long: Canonical::EMPTY,
            lens: [0; 320],
        })
    }
}

thread_local! {
    /// One [`Dynamic`] per thread, taken while in use (so re-entrancy just allocates another).
    static SCRATCH: std::cell::Cell<Option<Box<Dynamic>>> = const { std::cell::Cell::new(None) };
}

/// Reads the stream LSB first, as DEFLATE packs it.
#[derive(Clone, Copy)]
struct Bits<'a> {
    /// The whole compressed input.
    input: &'a [u8],
    /// Next byte of `input` to load; may pass the end by up to 8 bytes of zero padding.
    pos: usize,
    /// Loaded bits, next bit lowest. Bits above `cnt` are either zero or the same input bits the
    /// next refill will load there (so refills can OR whole words in without masking).
    buf: u64,
    /// Number of valid bits in `buf` (including zero padding past the end of input).
    cnt: u32,
}

impl<'a> Bits<'a> {
    /// Ensures at least 56 bits are loaded (zero bits past the end of the input).
    #[inline(always)]
    fn refill(&mut self) {
        if let Some(word) = self
            .input
            .get(self.pos..)
            .and_then(<[u8]>::first_chunk::<8>)
        {
            self.buf |= u64::from_le_bytes(*word) << self.cnt;
            // Whole bytes that fit: brings cnt to 56..=63.
            self.pos += ((63 - self.cnt) >> 3) as usize;
            self.cnt |= 56;
        } else {
            self.refill_slow();
        }
    }

    /// Byte-by-byte refill near the end of the input.
    #[inline(never)]
    fn refill_slow(&mut self) {
        while self.cnt < 56 {
            let byte = self.input.get(self.pos).copied().unwrap_or(0);
            self.buf |= u64::from(byte) << self.cnt;
            self.pos += 1;
            self.cnt += 8;
        }
    }

    /// Drops `n` bits; callers refill first and consume at most 56 bits per refill.
    #[inline(always)]
    fn consume(&mut self, n: u32) {
        debug_assert!(n <= self.cnt);
        self.buf >>= n;
        self.cnt -= n;
    }

    /// Whether more bits have been consumed than the input holds (zlib would have run out).
    #[inline(always)]
    fn overrun(&self) -> bool {
        // pos passes the end only by padding bytes, each adding 8 bits to cnt.
        self.pos > self.input.len() && (self.pos - self.input.len()) * 8 > self.cnt as usize
    }

    /// Skips to a byte boundary.
    fn align(&mut self) {
        self.consume(self.cnt & 7);
    }
}

/// Decoder state: input bits and the output buffer.
struct Inflater<'a> {
    /// The compressed input.
    bits: Bits<'a>,
    /// Output buffer; `out[..olen]` is the output so far, the rest is zeroed room.
    /// `out.len() <= cap` always.
    out: Vec<u8>,
    /// Bytes of output so far.
    olen: usize,
    /// `limit + 1`: the size of the buffer the system-zlib path gives zlib.
    cap: usize,
    /// Scratch for dynamic blocks, fetched on first use.
    scratch: Option<Box<Dynamic>>,
}

/// Inflates the zlib stream `input` into at most `limit` bytes, with exactly the results of the
/// system-zlib path (`super::zlib_decompress_capped_system`).
pub(super) fn zlib_decompress_capped_own(
    input: &[u8],
    limit: usize,
) -> Result<Vec<u8>, DecompressError> {
    let cap = limit.saturating_add(1);
    // A first guess at the output size; cookies compress JSON about 2-4x.
    let initial = cap.min(input.len().saturating_mul(4).max(256));
    let mut st = Inflater {
        bits: Bits {
            input,
            pos: 0,
            buf: 0,
            cnt: 0,
        },
        out: vec![0; initial],
        olen: 0,
        cap,
        scratch: None,
    };
    let result = st.run();
    if let Some(scratch) = st.scratch.take() {
        // try_with: during thread teardown the slot may be gone; then the box is just dropped.
        let _ = SCRATCH.try_with(|slot| slot.set(Some(scratch)));
    }
    match result {
        Ok(()) if st.olen > limit => Err(DecompressError::TooLarge { limit }),
        Ok(()) => {
            st.out.truncate(st.olen);
            Ok(st.out)
        }
        Err(Stop::TooLarge) => Err(DecompressError::TooLarge { limit }),
        Err(Stop::Truncated) => Err(DecompressError::Truncated),
        Err(Stop::Corrupt(why)) => Err(DecompressError::Corrupt(why.to_owned())),
    }
}

impl Inflater<'_> {
    /// What zlib reports when it stops for lack of input or output space: if the buffer is full
    /// (`cap` bytes), the caller sees more than `limit` bytes; otherwise the input ran out.
    fn stall(&self) -> Stop {
        if self.olen >= self.cap {
            Stop::TooLarge
        } else {
            Stop::Truncated
        }
    }

    /// Fails with [`Inflater::stall`] if the input has run out.
    #[inline(always)]
    fn check(&self) -> Step {
        if self.bits.overrun() {
            Err(self.stall())
        } else {
            Ok(())
        }
    }

    /// Reads `n <= 32` bits (after a refill), failing if the input runs out.
    fn take(&mut self, n: u32) -> Step<u32> {
        self.bits.refill();
        let v = (self.bits.buf & ((1u64 << n) - 1)) as u32;
        self.bits.consume(n);
        self.check()?;
        Ok(v)
    }

    /// Header, blocks, trailer.
    fn run(&mut self) -> Step {
        self.header()?;
        loop {
            let head = self.take(3)?;
            match head >> 1 {
                0 => self.stored()?,
                1 => self.codes(&FIXED)?,
                2 => self.dynamic()?,
                _ => return Err(Stop::Corrupt("invalid block type")),
            }
            if head & 1 != 0 {
                break;
            }
        }
        self.bits.align();
        let check = self.take(32)?.swap_bytes();
        let out = self.out.get(..self.olen).unwrap_or_default();
        if check != adler32(out) {
            return Err(Stop::Corrupt("incorrect data check"));
        }
        Ok(())
    }

    /// The two-byte zlib header, in zlib's order of checks.
    fn header(&mut self) -> Step {
        let h = self.take(16)?;
        let (cmf, flg) = (h & 0xff, h >> 8);
        if (cmf << 8 | flg) % 31 != 0 {
            return Err(Stop::Corrupt("incorrect header check"));
        }
        if cmf & 15 != 8 {
            return Err(Stop::Corrupt("unknown compression method"));
        }
        if (cmf >> 4) + 8 > 15 {
            return Err(Stop::Corrupt("invalid window size"));
        }
        if flg & 0x20 != 0 {
            // zlib reads the dictionary id before asking for the dictionary.
            self.take(32)?;
            return Err(Stop::Corrupt("needs a preset dictionary"));
        }
        Ok(())
    }

    /// Makes room for output up to `end` (`end <= cap`), growing geometrically but never past
    /// `cap`, so memory stays within `limit + 1` bytes of output.
    #[cold]
    fn grow(&mut self, end: usize) {
        let new_len = end.max(self.out.len().saturating_mul(2)).min(self.cap);
        if new_len > self.out.len() {
            self.out.resize(new_len, 0);
        }
    }

    /// A stored block: copies the input bytes.
    fn stored(&mut self) -> Step {
        self.bits.align();
        let lens = self.take(32)?;
        let len = (lens & 0xffff) as usize;
        if lens & 0xffff != (lens >> 16) ^ 0xffff {
            return Err(Stop::Corrupt("invalid stored block lengths"));
        }
        // Rewind to the first unconsumed byte (cnt is a whole number of bytes after align); not
        // overrun, so this is within the input.
        let at = self.bits.pos.saturating_sub((self.bits.cnt / 8) as usize);
        let avail = self.bits.input.len().saturating_sub(at);
        let n = len.min(avail).min(self.cap - self.olen);
        let end = self.olen + n;
        if end > self.out.len() {
            self.grow(end);
        }
        if let (Some(dst), Some(src)) = (
            self.out.get_mut(self.olen..end),
            self.bits.input.get(at..at + n),
        ) {
            dst.copy_from_slice(src);
        }
        self.olen = end;
        self.bits = Bits {
            input: self.bits.input,
            pos: at + n,
            buf: 0,
            cnt: 0,
        };
        if n < len {
            // zlib copies what fits and waits for more input or more room.
            return Err(self.stall());
        }
        Ok(())
    }

    /// A dynamic block: reads the code descriptions, builds tables, decodes.
    fn dynamic(&mut self) -> Step {
        let mut scratch = match self.scratch.take() {
            Some(s) => s,
            None => SCRATCH
                .try_with(|slot| slot.take())
                .ok()
                .flatten()
                .unwrap_or_else(Dynamic::new),
        };
        let result = self.dynamic_with(&mut scratch);
        self.scratch = Some(scratch);
        result
    }

    /// [`Inflater::dynamic`] with its scratch space.
    fn dynamic_with(&mut self, d: &mut Dynamic) -> Step {
        let h = self.take(14)?;
        let nlen = 257 + (h & 31) as usize;
        let ndist = 1 + ((h >> 5) & 31) as usize;
        let ncode = 4 + ((h >> 10) & 15) as usize;
        if nlen > 286 || ndist > 30 {
            return Err(Stop::Corrupt("too many length or distance symbols"));
        }
        let mut clens = [0u8; 19];
        for &i in CLEN_ORDER.iter().take(ncode) {
            self.bits.refill();
            clens[i] = (self.bits.buf & 7) as u8;
            self.bits.consume(3);
        }
        self.check()?;
        let cmask = build(
            &clens,
            Alphabet::CodeLengths,
            7,
            &mut d.clen,
            &mut d.clen_long,
        )
        .map_err(|()| Stop::Corrupt("invalid code lengths set"))?;

        let total = nlen + ndist;
        let lens = d.lens.get_mut(..total).unwrap_or_default();
        let mut have = 0;
        while have < total {
            self.bits.refill();
            let buf = self.bits.buf;
            let e = d.clen[(buf as usize) & cmask & (CLEN_TABLE - 1)];
            let n = e & 15;
            let sym = e >> 16;
            let (len, repeat) = match sym {
                0..=15 => {
                    self.bits.consume(n);
                    self.check()?;
                    if let Some(slot) = lens.get_mut(have) {
                        *slot = sym as u8;
                    }
                    have += 1;
                    continue;
                }
                16 => {
                    self.bits.consume(n + 2);
                    self.check()?;
                    let Some(&prev) = have.checked_sub(1).and_then(|i| lens.get(i)) else {
                        return Err(Stop::Corrupt("invalid bit length repeat"));
                    };
                    (prev, 3 + ((buf >> n) & 3) as usize)
                }
                17 => {
                    self.bits.consume(n + 3);
                    self.check()?;
                    (0, 3 + ((buf >> n) & 7) as usize)
                }
                _ => {
                    self.bits.consume(n + 7);
                    self.check()?;
                    (0, 11 + ((buf >> n) & 127) as usize)
                }
            };
            let Some(run) = lens.get_mut(have..have + repeat) else {
                return Err(Stop::Corrupt("invalid bit length repeat"));
            };
            run.fill(len);
            have += repeat;
        }
        if lens.get(256).copied().unwrap_or(0) == 0 {
            return Err(Stop::Corrupt("invalid code -- missing end-of-block"));
        }
        let (lit_lens, dist_lens) = lens.split_at(nlen);
        let t = &mut d.tables;
        t.lit_mask = build(lit_lens, Alphabet::LitLen, 10, &mut t.lit, &mut t.lit_long)
            .map_err(|()| Stop::Corrupt("invalid literal/lengths set"))?;
        t.dist_mask = build(dist_lens, Alphabet::Dist, 8, &mut t.dist, &mut t.dist_long)
            .map_err(|()| Stop::Corrupt("invalid distances set"))?;
        self.codes(t)
    }

    /// Decodes one Huffman-coded block's symbols up to and including its end-of-block code.
    fn codes(&mut self, t: &Tables) -> Step {
        loop {
            self.bits.refill();
            // One refill covers a whole sequence: 15 + 5 + 15 + 13 = 48 bits.
            let buf = self.bits.buf;
            let mut e = t.lit[(buf as usize) & t.lit_mask & (LIT_TABLE - 1)];
            if kind(e) == K_LONG {
                e = match t.lit_long.decode(buf) {
                    Some((sym, len)) => symbol_entry(Alphabet::LitLen, sym, len),
                    None => entry(K_BAD, 0, 0, 0),
                };
            }
            let n = e & 15;
            match kind(e) {
                K_LIT => {
                    self.bits.consume(n);
                    self.check()?;
                    self.literal((e >> 16) as u8)?;
                }
                K_COPY => {
                    let extra = (e >> 4) & 15;
                    let length = (e >> 16) as usize + ((buf >> n) & ((1 << extra) - 1)) as usize;
                    self.bits.consume(n + extra);
                    let buf = self.bits.buf;
                    let mut d = t.dist[(buf as usize) & t.dist_mask & (DIST_TABLE - 1)];
                    if kind(d) == K_LONG {
                        d = match t.dist_long.decode(buf) {
                            Some((sym, len)) => symbol_entry(Alphabet::Dist, sym, len),
                            None => entry(K_BAD, 0, 0, 0),
                        };
                    }
                    // Bad entries have no extra bits, so this consumes exactly what zlib has read
                    // when it rejects them.
                    let dn = d & 15;
                    let dextra = (d >> 4) & 15;
                    let dist = (d >> 16) as usize + ((buf >> dn) & ((1 << dextra) - 1)) as usize;
                    self.bits.consume(dn + dextra);
                    self.check()?;
                    if kind(d) != K_COPY {
                        return Err(Stop::Corrupt("invalid distance code"));
                    }
                    self.copy_match(dist, length)?;
                }
                K_EOB => {
                    self.bits.consume(n);
                    self.check()?;
                    return Ok(());
                }
                _ => {
                    self.bits.consume(n);
                    self.check()?;
                    return Err(Stop::Corrupt("invalid literal/length code"));
                }
            }
        }
    }

    /// Appends one literal byte.
    #[inline(always)]
    fn literal(&mut self, byte: u8) -> Step {
        if let Some(slot) = self.out.get_mut(self.olen) {
            *slot = byte;
            self.olen += 1;
            return Ok(());
        }
        if self.olen >= self.cap {
            // zlib stops in LIT for output space: the buffer is full.
            return Err(Stop::TooLarge);
        }
        self.grow(self.olen + 1);
        if let Some(slot) = self.out.get_mut(self.olen) {
            *slot = byte;
        }
        self.olen += 1;
        Ok(())
    }

    /// Appends `length` bytes copied from `dist` bytes back, in zlib's order of checks.
    #[inline(always)]
    fn copy_match(&mut self, dist: usize, length: usize) -> Step {
        let room = self.cap - self.olen;
        if room == 0 {
            // zlib's MATCH state waits for output space before it checks the distance.
            return Err(Stop::TooLarge);
        }
        if dist > self.olen {
            return Err(Stop::Corrupt("invalid distance too far back"));
        }
        if length > room {
            // zlib copies what fits; the buffer is then full.
            return Err(Stop::TooLarge);
        }
        let end = self.olen + length;
        if end > self.out.len() {
            self.grow(end);
        }
        let start = self.olen - dist;
        if let Some(win) = self.out.get_mut(start..end) {
            if dist >= length {
                win.copy_within(..length, dist);
            } else {
                // Overlapping: each byte may be one this copy just wrote.
                for i in dist..win.len() {
                    win[i] = win[i - dist];
                }
            }
        }
        self.olen = end;
        Ok(())
    }
}

/// Adler-32 of `data` (RFC 1950 section 8).
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    // 5552 is the most bytes whose sums cannot overflow u32 before reducing (zlib's NMAX).
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_matches_known_values() {
        assert_eq!(adler32(b""), 1);
        // RFC 1950 example-style check value: zlib's adler32("Wikipedia").
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let big = vec![0xffu8; 100_000];
        // Computed the slow way, reducing every byte.
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &big {
            a = (a + u64::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!(adler32(&big), ((b << 16) | a) as u32);
    }

    #[test]
    fn fixed_tables_decode_known_codes() {
        // Fixed code: literal 0 is 00110000 (8 bits), sent MSB first; end of block is 0000000.
        let rev = usize::from(0b0011_0000u16.reverse_bits() >> 8);
        assert_eq!(FIXED.lit[rev], entry(K_LIT, 0, 0, 8));
        assert_eq!(FIXED.lit[0], entry(K_EOB, 0, 0, 7));
        // Distance symbol 31 (11111) is rejected once decoded.
        assert_eq!(FIXED.dist[31], entry(K_BAD, 0, 0, 5));
    }

    #[test]
    fn canonical_decode_agrees_with_the_root_table() {
        // A code with lengths up to 12 built with a small root: every long slot must decode
        // canonically to the same symbol a larger table would give.
        let mut lens = [0u8; 30];
        let shape = [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12];
        lens[..shape.len()].copy_from_slice(&shape);
        let mut small = [0u32; DIST_TABLE];
        let mut big = [0u32; 1 << 12];
        let mut c1 = Canonical::EMPTY;
        let mut c2 = Canonical::EMPTY;
        let m1 = build(&lens, Alphabet::Dist, 4, &mut small, &mut c1).unwrap();
        let m2 = build(&lens, Alphabet::Dist, 12, &mut big, &mut c2).unwrap();
        assert_eq!((m1, m2), (15, 4095));
        for bits in 0..4096u64 {
            let e = small[bits as usize & m1];
            let got = if kind(e) == K_LONG {
                let (sym, len) = c1.decode(bits).unwrap();
                symbol_entry(Alphabet::Dist, sym, len)
            } else {
                e
            };
            assert_eq!(got, big[bits as usize], "bits {bits:012b}");
        }
    }
}
