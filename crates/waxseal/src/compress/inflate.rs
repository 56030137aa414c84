//! A zlib (RFC 1950) / DEFLATE (RFC 1951) inflater for small streams, such as session cookies,
//! that reports exactly what the pinned zlib would.
//!
//! Why not just zlib: a Flask session cookie is typically one dynamic-Huffman block of about a
//! hundred bytes, and for that zlib spends over half its time building decode tables (a 2^9-entry
//! literal/length table and a 2^6-entry distance table, whatever the block needs), plus resetting
//! its state and copying output into its 32 KiB window (the pinned zlib with a reused stream, and
//! `zlib-rs` and `libdeflater`, measured 1.5-2x this decoder's time on cookies; see
//! `bench/benches/compression.rs`). This decoder:
//!
//! * keeps the whole output in one buffer, so there is no window to maintain;
//! * uses tables built at compile time for fixed-Huffman blocks;
//! * collects each dynamic block's symbols into per-length lists while it decodes the code
//!   lengths (runs of unused symbols cost nothing), then builds root tables only as large as the
//!   block's longest code, at most 2^10 literal/length and 2^8 distance entries, by doubling
//!   (libdeflate's method: block copies instead of strided stores);
//! * decodes the rare codes longer than the root table canonically from those lists, starting
//!   after the root bits (like zlib's `contrib/puff`, but without re-reading the prefix);
//! * decodes symbols in a loop that keeps its state in registers and skips the end-of-input
//!   checks while at least 8 input bytes remain, with a fully checked path for the last bytes.
//!
//! Decoding itself is at parity with zlib's `inflate_fast` (both are bound by the table-load latency per symbol).
//! Codes longer than the root table are its weak spot: a stream made only of 15-bit codes takes
//! 2-3 times zlib's time per symbol, which is why `super::OWN_INFLATE_MAX_LEN` bounds the input.
//!
//! Observable behaviour is zlib's `inflate()` (the pinned release) as driven by
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
//! * Each error is the [`super::Corruption`] reason zlib's `strm->msg` names.

use super::adler32::adler32;
use super::{Corruption, DecompressError};
use super::{BL_ORDER as CLEN_ORDER, EXTRA_DBITS as DIST_EXTRA, EXTRA_LBITS as LEN_EXTRA};

/// Why decoding stopped before the end of the stream.
#[derive(Debug)]
enum Stop {
    /// The output reached `limit + 1` bytes.
    TooLarge,
    /// The input ended before the stream did.
    Truncated,
    /// The stream is invalid; zlib's message.
    Corrupt(Corruption),
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
/// Distance base for distance symbols 0..=29.
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
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

/// Table entries without their code length, by symbol, for each alphabet.
const fn base_entries<const N: usize>(alphabet: Alphabet) -> [u32; N] {
    let mut t = [0u32; N];
    let mut sym = 0;
    while sym < N {
        t[sym] = symbol_entry(alphabet, sym, 0);
        sym += 1;
    }
    t
}
/// [`base_entries`] of the literal/length alphabet.
static LIT_ENTRIES: [u32; 288] = base_entries(Alphabet::LitLen);
/// [`base_entries`] of the distance alphabet.
static DIST_ENTRIES: [u32; 32] = base_entries(Alphabet::Dist);
/// [`base_entries`] of the code-length alphabet.
static CLEN_ENTRIES: [u32; 19] = base_entries(Alphabet::CodeLengths);

/// A code in canonical form: the symbols of each length in symbol order, which is code order.
///
/// Filled one symbol at a time while the code lengths are decoded (so there is no separate
/// counting or sorting pass), and used to build the root table and to decode codes longer than
/// the root table bit by bit.
struct Code<const N: usize> {
    /// `counts[len]`: number of symbols with a code of `len` bits (`counts[0]` unused).
    counts: [u16; MAX_BITS + 1],
    /// `syms[len][..counts[len]]`: those symbols, ascending. Entries past the count are stale.
    syms: [[u16; N]; MAX_BITS + 1],
}

impl<const N: usize> Code<N> {
    /// A code with no symbols.
    const EMPTY: Self = Code {
        counts: [0; MAX_BITS + 1],
        syms: [[0; N]; MAX_BITS + 1],
    };

    /// Adds `sym` with a `len`-bit code; symbols must come in ascending order.
    #[inline(always)]
    fn push(&mut self, len: usize, sym: usize) {
        if let (Some(count), Some(list)) = (self.counts.get_mut(len), self.syms.get_mut(len)) {
            // At most N symbols are ever pushed, so the slot exists.
            if let Some(slot) = list.get_mut(usize::from(*count)) {
                *slot = sym as u16;
                *count += 1;
            }
        }
    }

    /// Decodes the code longer than `root` bits that starts at the low bit of `buf`, bit by bit
    /// from bit `root + 1`; returns its symbol and length, or `None` if no code matches
    /// (impossible for the complete codes that can have long slots, but cheap to handle).
    #[cold]
    fn decode_long(&self, buf: u64, root: u32) -> Option<(usize, u32)> {
        // Canonical codes are sent most significant bit first, so the code grows one bit at a
        // time, and `first` is the first code of the current length. Up to `root` bits neither
        // depends on anything but the counts (the root slot said no code that short matches).
        let root = (root as usize).min(MAX_BITS);
        let mut first = 0usize;
        for &count in self.counts.get(1..=root)? {
            first = (first + usize::from(count)) << 1;
        }
        let prefix = (buf & ((1 << root) - 1)) as u16;
        let mut code = usize::from(prefix.reverse_bits().checked_shr(16 - root as u32)?);
        for len in root + 1..=MAX_BITS {
            code = (code << 1) | ((buf >> (len - 1)) & 1) as usize;
            let count = usize::from(self.counts[len]);
            if code < first + count {
                let sym = *self.syms.get(len)?.get(code - first)?;
                return Some((usize::from(sym), len as u32));
            }
            first = (first + count) << 1;
        }
        None
    }
}

/// Root tables for one block: literal/length and distance codes.
struct Tables {
    /// Literal/length root table, indexed by the next `lit_mask.count_ones()` stream bits.
    lit: [u32; LIT_TABLE],
    /// `2^root - 1` for `lit`.
    lit_mask: usize,
    /// Distance root table.
    dist: [u32; DIST_TABLE],
    /// `2^root - 1` for `dist`.
    dist_mask: usize,
}

/// The codes of a dynamic block in canonical form, for slots marked [`K_LONG`].
struct Long {
    /// The literal/length code.
    lit: Code<288>,
    /// The distance code.
    dist: Code<32>,
}

/// The entry for a [`K_LONG`] literal/length slot of a `2^root`-slot table (a bad entry if there
/// is no such code).
#[cold]
fn resolve_lit(long: Option<&Long>, buf: u64, root: u32) -> u32 {
    match long.and_then(|l| l.lit.decode_long(buf, root)) {
        Some((sym, len)) => symbol_entry(Alphabet::LitLen, sym, len),
        None => entry(K_BAD, 0, 0, 0),
    }
}

/// The entry for a [`K_LONG`] distance slot of a `2^root`-slot table (a bad entry if there is
/// no such code).
#[cold]
fn resolve_dist(long: Option<&Long>, buf: u64, root: u32) -> u32 {
    match long.and_then(|l| l.dist.decode_long(buf, root)) {
        Some((sym, len)) => symbol_entry(Alphabet::Dist, sym, len),
        None => entry(K_BAD, 0, 0, 0),
    }
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
/// is [`K_LONG`].
static FIXED: Tables = Tables {
    lit: const_table::<LIT_TABLE>(&fixed_lit_lens(), Alphabet::LitLen, 9),
    lit_mask: (1 << 9) - 1,
    dist: const_table::<DIST_TABLE>(&[5; 32], Alphabet::Dist, 5),
    dist_mask: (1 << 5) - 1,
};

/// Builds the root table of `code` with root `min(longest code, root_max)`; returns
/// `2^root - 1`. `base[sym]` is the symbol's table entry without its length.
///
/// Accepts exactly what zlib's `inflate_table` accepts: no over-subscribed set, and no incomplete
/// set except a single one-bit code for literal/length or distance codes. A set with no codes at
/// all is accepted with a one-bit table whose slots are "bad" (so zlib reports the error only if a
/// symbol is decoded), except that for the code-length code zlib's marker decodes as length 0,
/// consuming one bit.
///
/// The table is filled the way libdeflate does it: codes of each length in increasing order are
/// written to a table of `2^len` slots, which is then doubled by copying it onto its upper half,
/// so the replicas of short codes are made by block copies, not strided stores; and the
/// bit-reversed code (tables are indexed by codes as they arrive, LSB first) is incremented in
/// place rather than reversed for every symbol.
fn build<const N: usize>(
    code: &Code<N>,
    alphabet: Alphabet,
    base: &[u32],
    root_max: u32,
    table: &mut [u32],
) -> Result<usize, ()> {
    let (mut min, mut max) = (0, 0);
    let mut left: i32 = 1;
    for len in 1..=MAX_BITS {
        let count = code.counts[len];
        // Branch-free: which lengths occur is data, and mispredictions cost more than this.
        max = if count != 0 { len } else { max };
        min = if count != 0 && min == 0 { len } else { min };
        left = (left << 1) - i32::from(count);
        if left < 0 {
            return Err(()); // over-subscribed
        }
    }
    if max == 0 {
        let marker = match alphabet {
            Alphabet::CodeLengths => entry(K_LIT, 0, 0, 1),
            Alphabet::LitLen | Alphabet::Dist => entry(K_BAD, 0, 0, 1),
        };
        table.get_mut(..2).ok_or(())?.fill(marker);
        return Ok(1);
    }
    if left > 0 && (alphabet == Alphabet::CodeLengths || max != 1) {
        return Err(()); // incomplete
    }
    let root = (max as u32).min(root_max);
    let size = 1usize << root;
    let table = table.get_mut(..size).ok_or(())?;

    // The next canonical code (RFC 1951 3.2.2). Codes arrive MSB first but are read from the
    // low end of the bit buffer, so a table index is a bit-reversed code. (Reversing each code
    // costs more instructions than incrementing a reversed code in place, but they are
    // independent, where the in-place increment is a chain through `leading_zeros`.)
    let mut next = 0u32;
    // table[..filled] is the table for the lengths done so far; below the shortest code it has
    // no content, so it starts at that length.
    let mut filled = 1usize << (min as u32).min(root);
    for len in min..=max {
        let len32 = len as u32;
        if len > min && len32 <= root {
            double(table, filled)?;
            filled *= 2;
        }
        let count = usize::from(code.counts[len]);
        let syms = code.syms.get(len).and_then(|l| l.get(..count)).ok_or(())?;
        for &sym in syms {
            let rev = usize::from((next as u16).reverse_bits() >> (16 - len32));
            *table.get_mut(rev & (size - 1)).ok_or(())? = if len32 <= root {
                base.get(usize::from(sym)).ok_or(())? | len32
            } else {
                // The root-table prefix of a longer code (its first root bits are the low root
                // bits of the reversed code): decode those canonically.
                entry(K_LONG, 0, 0, 0)
            };
            next += 1;
        }
        next <<= 1;
    }
    if left > 0 {
        // The one allowed incomplete code: a single 1-bit code (code 0); bit 1 is invalid.
        *table.get_mut(1).ok_or(())? = entry(K_BAD, 0, 0, 1);
    }
    Ok(size - 1)
}

/// Copies `table[..filled]` onto `table[filled..2 * filled]`.
#[inline(always)]
fn double(table: &mut [u32], filled: usize) -> Result<(), ()> {
    let (done, rest) = table.split_at_mut(filled);
    let rest = rest.get_mut(..filled).ok_or(())?;
    // Fixed-size pieces compile to a few vector moves; a library memmove call would cost more
    // than the copy for these 2..512-entry tables.
    if filled >= 8 {
        let mut i = 0;
        while i + 8 <= filled {
            let piece = done.get(i..i + 8).and_then(<[u32]>::first_chunk::<8>);
            if let (Some(piece), Some(to)) = (piece, rest.get_mut(i..i + 8)) {
                to.copy_from_slice(piece);
            }
            i += 8;
        }
    } else {
        for i in 0..filled {
            if let (Some(&v), Some(to)) = (done.get(i), rest.get_mut(i)) {
                *to = v;
            }
        }
    }
    Ok(())
}

/// Scratch space for dynamic blocks (about 16 KiB), kept per thread so that a call needs neither
/// to allocate nor to clear it: everything is rebuilt before use, and only counts are reset.
struct Dynamic {
    /// The block's root tables.
    tables: Tables,
    /// The block's codes in canonical form.
    long: Long,
    /// Code-length code root table.
    clen_table: [u32; CLEN_TABLE],
    /// The code-length code.
    clen: Code<19>,
}

impl Dynamic {
    /// Fresh scratch space.
    fn new() -> Box<Dynamic> {
        Box::new(Dynamic {
            tables: Tables {
                lit: [0; LIT_TABLE],
                lit_mask: 0,
                dist: [0; DIST_TABLE],
                dist_mask: 0,
            },
            long: Long {
                lit: Code::EMPTY,
                dist: Code::EMPTY,
            },
            clen_table: [0; CLEN_TABLE],
            clen: Code::EMPTY,
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
    /// `limit + 1`: the size of the buffer the pinned-zlib path gives zlib.
    cap: usize,
    /// Scratch for dynamic blocks, fetched on first use.
    scratch: Option<Box<Dynamic>>,
}

/// Inflates the zlib stream `input` into at most `limit` bytes, with exactly the results of the
/// pinned-zlib path (`super::zlib_decompress_capped_system`).
pub(super) fn zlib_decompress_capped_own(
    input: &[u8],
    limit: usize,
) -> Result<Vec<u8>, DecompressError> {
    let mut out = Vec::new();
    zlib_decompress_capped_own_into(input, limit, &mut out).map(|()| out)
}

/// [`zlib_decompress_capped_own`] into `out` (replacing what it held), reusing its allocation:
/// a batch that inflates a cookie per call then allocates nothing. `out` is empty on error.
pub(super) fn zlib_decompress_capped_own_into(
    input: &[u8],
    limit: usize,
    out: &mut Vec<u8>,
) -> Result<(), DecompressError> {
    let cap = limit.saturating_add(1);
    // A first guess at the output size (cookies compress JSON about 2-4x), plus the room the
    // fast decoding loop needs beyond the output (a 258-byte copy done in 8-byte words).
    let initial = cap.min(input.len().saturating_mul(4).max(256) + 258 + 8);
    let mut buf = std::mem::take(out);
    buf.clear();
    buf.resize(initial, 0);
    let mut st = Inflater {
        bits: Bits {
            input,
            pos: 0,
            buf: 0,
            cnt: 0,
        },
        out: buf,
        olen: 0,
        cap,
        scratch: None,
    };
    let result = st.run();
    if let Some(scratch) = st.scratch.take() {
        // try_with: during thread teardown the slot may be gone; then the box is just dropped.
        let _ = SCRATCH.try_with(|slot| slot.set(Some(scratch)));
    }
    let olen = st.olen;
    *out = st.out;
    let result = match result {
        Ok(()) if olen > limit => Err(DecompressError::TooLarge { limit }),
        Ok(()) => Ok(()),
        Err(Stop::TooLarge) => Err(DecompressError::TooLarge { limit }),
        Err(Stop::Truncated) => Err(DecompressError::Truncated),
        Err(Stop::Corrupt(why)) => Err(DecompressError::Corrupt(why)),
    };
    out.truncate(if result.is_ok() { olen } else { 0 });
    result
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
                1 => self.codes(&FIXED, None)?,
                2 => self.dynamic()?,
                _ => return Err(Stop::Corrupt(Corruption::InvalidBlockType)),
            }
            if head & 1 != 0 {
                break;
            }
        }
        self.bits.align();
        let check = self.take(32)?.swap_bytes();
        let out = self.out.get(..self.olen).unwrap_or_default();
        if check != adler32(out) {
            return Err(Stop::Corrupt(Corruption::DataCheck));
        }
        Ok(())
    }

    /// The two-byte zlib header, in zlib's order of checks.
    fn header(&mut self) -> Step {
        let h = self.take(16)?;
        let (cmf, flg) = (h & 0xff, h >> 8);
        if (cmf << 8 | flg) % 31 != 0 {
            return Err(Stop::Corrupt(Corruption::HeaderCheck));
        }
        if cmf & 15 != 8 {
            return Err(Stop::Corrupt(Corruption::UnknownMethod));
        }
        if (cmf >> 4) + 8 > 15 {
            return Err(Stop::Corrupt(Corruption::InvalidWindowSize));
        }
        if flg & 0x20 != 0 {
            // zlib reads the dictionary id before asking for the dictionary.
            self.take(32)?;
            return Err(Stop::Corrupt(Corruption::NeedsDictionary));
        }
        Ok(())
    }

    /// Makes room for output up to `end` (`end <= cap`), growing geometrically but never past
    /// `cap`, so memory stays within `limit + 1` bytes of output.
    #[cold]
    fn grow(&mut self, end: usize) {
        let new_len = end.max(self.out.len().saturating_mul(2)).min(self.cap);
        if new_len > self.out.len() {
            // reserve_exact: `resize` alone may round the capacity up to twice the old one,
            // past the cap.
            self.out.reserve_exact(new_len - self.out.len());
            self.out.resize(new_len, 0);
        }
    }

    /// A stored block: copies the input bytes.
    fn stored(&mut self) -> Step {
        self.bits.align();
        let lens = self.take(32)?;
        let len = (lens & 0xffff) as usize;
        if lens & 0xffff != (lens >> 16) ^ 0xffff {
            return Err(Stop::Corrupt(Corruption::InvalidStoredLengths));
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
            return Err(Stop::Corrupt(Corruption::TooManySymbols));
        }
        let mut clens = [0u8; 19];
        for &sym in CLEN_ORDER.iter().take(ncode) {
            self.bits.refill();
            clens[sym] = (self.bits.buf & 7) as u8;
            self.bits.consume(3);
        }
        self.check()?;
        d.clen.counts = [0; MAX_BITS + 1];
        for (sym, &len) in clens.iter().enumerate() {
            if len != 0 {
                d.clen.push(usize::from(len), sym);
            }
        }
        let cmask = build(
            &d.clen,
            Alphabet::CodeLengths,
            &CLEN_ENTRIES,
            7,
            &mut d.clen_table,
        )
        .map_err(|()| Stop::Corrupt(Corruption::InvalidCodeLengthsSet))?;

        // Symbols 0..nlen (literal/length) then 0..ndist (distance), by length.
        let (lit, dist) = (&mut d.long.lit, &mut d.long.dist);
        lit.counts = [0; MAX_BITS + 1];
        dist.counts = [0; MAX_BITS + 1];
        let total = nlen + ndist;
        let mut have = 0;
        // The last length written, for code 16 (repeat previous).
        let mut prev = 0usize;
        let mut has_end_of_block = false;
        while have < total {
            // A code-length symbol and its extra bits take at most 7 + 7 bits; refilling only
            // when needed keeps the refill's load off most iterations' dependency chain.
            if self.bits.cnt < 14 {
                self.bits.refill();
            }
            let buf = self.bits.buf;
            let e = d.clen_table[(buf as usize) & cmask & (CLEN_TABLE - 1)];
            let n = e & 15;
            let sym = (e >> 16) as usize;
            let (len, repeat) = match sym {
                0..=15 => {
                    self.bits.consume(n);
                    self.check()?;
                    (sym, 1)
                }
                16 => {
                    self.bits.consume(n + 2);
                    self.check()?;
                    if have == 0 {
                        return Err(Stop::Corrupt(Corruption::InvalidBitLengthRepeat));
                    }
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
            let end = have + repeat;
            if end > total {
                return Err(Stop::Corrupt(Corruption::InvalidBitLengthRepeat));
            }
            if len != 0 {
                // A run (of at most 6 for code 16) may straddle the two alphabets.
                for at in have..end {
                    if at < nlen {
                        lit.push(len, at);
                    } else {
                        dist.push(len, at - nlen);
                    }
                }
                has_end_of_block |= have <= 256 && 256 < end;
            }
            prev = len;
            have = end;
        }
        if !has_end_of_block {
            return Err(Stop::Corrupt(Corruption::MissingEndOfBlock));
        }
        let t = &mut d.tables;
        t.lit_mask = build(lit, Alphabet::LitLen, &LIT_ENTRIES, 10, &mut t.lit)
            .map_err(|()| Stop::Corrupt(Corruption::InvalidLiteralLengthsSet))?;
        t.dist_mask = build(dist, Alphabet::Dist, &DIST_ENTRIES, 8, &mut t.dist)
            .map_err(|()| Stop::Corrupt(Corruption::InvalidDistancesSet))?;
        self.codes(t, Some(&d.long))
    }

    /// Decodes one Huffman-coded block's symbols up to and including its end-of-block code.
    fn codes(&mut self, t: &Tables, long: Option<&Long>) -> Step {
        loop {
            if self.codes_fast(t, long)? || self.symbol(t, long)? {
                return Ok(());
            }
        }
    }

    /// Decodes symbols while at least 8 input bytes remain (so the input cannot run out within
    /// a symbol) and the buffer has room for the longest copy plus an 8-byte overshoot. Returns
    /// whether the block ended; `Ok(false)` leaves the rest to [`Inflater::symbol`].
    ///
    /// The state lives in locals here so the compiler can keep it in registers.
    fn codes_fast(&mut self, t: &Tables, long: Option<&Long>) -> Step<bool> {
        let input = self.bits.input;
        let Bits {
            mut pos,
            mut buf,
            mut cnt,
            ..
        } = self.bits;
        let mut olen = self.olen;
        let out = self.out.as_mut_slice();
        // Highest `olen` at which a 258-byte copy done in 8-byte words still fits.
        let Some(out_end) = out.len().checked_sub(258 + 8) else {
            return Ok(false);
        };
        let result = loop {
            if olen > out_end {
                break Ok(false);
            }
            let Some(word) = input.get(pos..).and_then(<[u8]>::first_chunk::<8>) else {
                break Ok(false);
            };
            // Refill to 56..=63 real bits: enough for a whole length/distance sequence (48).
            buf |= u64::from_le_bytes(*word) << cnt;
            pos += ((63 - cnt) >> 3) as usize;
            cnt |= 56;
            let mut e = t.lit[(buf as usize) & t.lit_mask & (LIT_TABLE - 1)];
            if kind(e) == K_LIT {
                // Up to three literals per refill (3 x 15 bits), the common case in text.
                for _ in 0..3 {
                    // A literal's entry has no extra bits, so its low 6 bits are its length:
                    // shifting by the entry saves a mask on the critical path.
                    buf = buf.wrapping_shr(e);
                    cnt -= e & 15;
                    if let Some(slot) = out.get_mut(olen) {
                        *slot = (e >> 16) as u8;
                    }
                    olen += 1;
                    e = t.lit[(buf as usize) & t.lit_mask & (LIT_TABLE - 1)];
                    if kind(e) != K_LIT {
                        break;
                    }
                }
                continue;
            }
            if kind(e) == K_LONG {
                e = resolve_lit(long, buf, t.lit_mask.count_ones());
            }
            let n = e & 15;
            match kind(e) {
                K_LIT => {
                    buf >>= n;
                    cnt -= n;
                    if let Some(slot) = out.get_mut(olen) {
                        *slot = (e >> 16) as u8;
                    }
                    olen += 1;
                }
                K_COPY => {
                    let extra = (e >> 4) & 15;
                    let length = (e >> 16) as usize + ((buf >> n) & ((1 << extra) - 1)) as usize;
                    buf >>= n + extra;
                    cnt -= n + extra;
                    let mut d = t.dist[(buf as usize) & t.dist_mask & (DIST_TABLE - 1)];
                    if kind(d) == K_LONG {
                        d = resolve_dist(long, buf, t.dist_mask.count_ones());
                    }
                    let dn = d & 15;
                    let dextra = (d >> 4) & 15;
                    let dist = (d >> 16) as usize + ((buf >> dn) & ((1 << dextra) - 1)) as usize;
                    buf >>= dn + dextra;
                    cnt -= dn + dextra;
                    if kind(d) != K_COPY {
                        break Err(Stop::Corrupt(Corruption::InvalidDistanceCode));
                    }
                    // There is room (olen <= out_end < cap), so zlib checks the distance now.
                    if dist > olen {
                        break Err(Stop::Corrupt(Corruption::DistanceTooFarBack));
                    }
                    copy_fast(out, olen, dist, length);
                    olen += length;
                }
                K_EOB => {
                    buf >>= n;
                    cnt -= n;
                    break Ok(true);
                }
                _ => {
                    buf >>= n;
                    cnt -= n;
                    break Err(Stop::Corrupt(Corruption::InvalidLiteralLengthCode));
                }
            }
        };
        self.bits.pos = pos;
        self.bits.buf = buf;
        self.bits.cnt = cnt;
        self.olen = olen;
        result
    }

    /// Decodes one symbol with every check (input may run out, output may need to grow or be
    /// full); returns whether it was the end of the block.
    fn symbol(&mut self, t: &Tables, long: Option<&Long>) -> Step<bool> {
        self.bits.refill();
        // One refill covers a whole sequence: 15 + 5 + 15 + 13 = 48 bits.
        let buf = self.bits.buf;
        let mut e = t.lit[(buf as usize) & t.lit_mask & (LIT_TABLE - 1)];
        if kind(e) == K_LONG {
            e = resolve_lit(long, buf, t.lit_mask.count_ones());
        }
        let n = e & 15;
        match kind(e) {
            K_LIT => {
                self.bits.consume(n);
                self.check()?;
                self.literal((e >> 16) as u8)?;
                Ok(false)
            }
            K_COPY => {
                let extra = (e >> 4) & 15;
                let length = (e >> 16) as usize + ((buf >> n) & ((1 << extra) - 1)) as usize;
                self.bits.consume(n + extra);
                let buf = self.bits.buf;
                let mut d = t.dist[(buf as usize) & t.dist_mask & (DIST_TABLE - 1)];
                if kind(d) == K_LONG {
                    d = resolve_dist(long, buf, t.dist_mask.count_ones());
                }
                // Bad entries have no extra bits, so this consumes exactly what zlib has read
                // when it rejects them.
                let dn = d & 15;
                let dextra = (d >> 4) & 15;
                let dist = (d >> 16) as usize + ((buf >> dn) & ((1 << dextra) - 1)) as usize;
                self.bits.consume(dn + dextra);
                self.check()?;
                if kind(d) != K_COPY {
                    return Err(Stop::Corrupt(Corruption::InvalidDistanceCode));
                }
                self.copy_match(dist, length)?;
                Ok(false)
            }
            K_EOB => {
                self.bits.consume(n);
                self.check()?;
                Ok(true)
            }
            _ => {
                self.bits.consume(n);
                self.check()?;
                Err(Stop::Corrupt(Corruption::InvalidLiteralLengthCode))
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
            return Err(Stop::Corrupt(Corruption::DistanceTooFarBack));
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

/// Copies `length` bytes from `dist` back to `out[olen..]`, as LZ77 defines it (a copy may
/// overlap its own output). Needs `dist <= olen` and `olen + length + 8 <= out.len()`: copies of
/// distance 8 or more move 8-byte words and may write up to 7 bytes past the end, into room that
/// later output overwrites.
#[inline(always)]
fn copy_fast(out: &mut [u8], olen: usize, dist: usize, length: usize) {
    let start = olen - dist;
    if dist >= 8 {
        let (mut from, mut to) = (start, olen);
        while to < olen + length {
            let word = out.get(from..).and_then(<[u8]>::first_chunk::<8>).copied();
            if let (Some(word), Some(dst)) = (word, out.get_mut(to..to + 8)) {
                dst.copy_from_slice(&word);
            }
            from += 8;
            to += 8;
        }
    } else if dist == 1 {
        let byte = out.get(start).copied().unwrap_or(0);
        if let Some(run) = out.get_mut(olen..olen + length) {
            run.fill(byte);
        }
    } else if let Some(win) = out.get_mut(start..olen + length) {
        // Short overlapping period: byte by byte, each may be one this copy just wrote.
        for i in dist..win.len() {
            win[i] = win[i - dist];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut code: Code<32> = Code::EMPTY;
        for (sym, len) in [1usize, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12]
            .into_iter()
            .enumerate()
        {
            code.push(len, sym);
        }
        let mut small = [0u32; DIST_TABLE];
        let mut big = [0u32; 1 << 12];
        let m1 = build(&code, Alphabet::Dist, &DIST_ENTRIES, 4, &mut small).unwrap();
        let m2 = build(&code, Alphabet::Dist, &DIST_ENTRIES, 12, &mut big).unwrap();
        assert_eq!((m1, m2), (15, 4095));
        let long = Long {
            lit: Code::EMPTY,
            dist: code,
        };
        for bits in 0..4096u64 {
            let e = small[bits as usize & m1];
            let got = if kind(e) == K_LONG {
                resolve_dist(Some(&long), bits, 4)
            } else {
                e
            };
            assert_eq!(got, big[bits as usize], "bits {bits:012b}");
        }
    }

    #[test]
    fn built_tables_match_the_compile_time_fixed_tables() {
        let mut code: Code<288> = Code::EMPTY;
        for len in 7..=9 {
            for (sym, &l) in fixed_lit_lens().iter().enumerate() {
                if usize::from(l) == len {
                    code.push(len, sym);
                }
            }
        }
        let mut table = [0u32; LIT_TABLE];
        let mask = build(&code, Alphabet::LitLen, &LIT_ENTRIES, 10, &mut table).unwrap();
        assert_eq!(mask, FIXED.lit_mask);
        assert_eq!(table[..512], FIXED.lit[..512]);
    }

    #[test]
    fn over_subscribed_and_incomplete_codes_are_refused_like_zlib() {
        let mut table = [0u32; LIT_TABLE];
        let code_of = |lens: &[usize]| {
            let mut c: Code<32> = Code::EMPTY;
            for (sym, &len) in lens.iter().enumerate() {
                if len != 0 {
                    c.push(len, sym);
                }
            }
            c
        };
        // Three 1-bit codes: over-subscribed.
        assert!(build(
            &code_of(&[1, 1, 1]),
            Alphabet::Dist,
            &DIST_ENTRIES,
            8,
            &mut table
        )
        .is_err());
        // Two 2-bit codes: incomplete, refused.
        assert!(build(
            &code_of(&[2, 2]),
            Alphabet::Dist,
            &DIST_ENTRIES,
            8,
            &mut table
        )
        .is_err());
        // One 1-bit code: the allowed incomplete code; bit 1 decodes as bad.
        let one = code_of(&[0, 1]);
        assert_eq!(
            build(&one, Alphabet::Dist, &DIST_ENTRIES, 8, &mut table),
            Ok(1)
        );
        assert_eq!(table[..2], [DIST_ENTRIES[1] | 1, entry(K_BAD, 0, 0, 1)]);
        // ... but not for the code-length code.
        assert!(build(&one, Alphabet::CodeLengths, &CLEN_ENTRIES, 7, &mut table).is_err());
        // No codes at all: accepted, and decoding anything is an error (or length 0 for the
        // code-length code, as zlib's table marker reads).
        let none = code_of(&[]);
        assert_eq!(
            build(&none, Alphabet::Dist, &DIST_ENTRIES, 8, &mut table),
            Ok(1)
        );
        assert_eq!(table[..2], [entry(K_BAD, 0, 0, 1); 2]);
        assert_eq!(
            build(&none, Alphabet::CodeLengths, &CLEN_ENTRIES, 7, &mut table),
            Ok(1)
        );
        assert_eq!(table[..2], [entry(K_LIT, 0, 0, 1); 2]);
    }

    #[test]
    fn a_reused_output_buffer_gives_what_a_fresh_one_gives() {
        // Streams of growing and shrinking size, cut short, over the limit or corrupt, all
        // inflated into one buffer: each result equals a fresh call's (the pinned zlib's), and
        // an error leaves the buffer empty.
        let text: Vec<u8> = (0..5000u32)
            .map(|i| b"{\"_flashes\": [\"abc\"], 0123456789}"[(i * 7 % 31) as usize])
            .collect();
        let mut out = b"stale".to_vec();
        for (i, len) in [0usize, 3000, 10, 5000, 200, 1, 4000]
            .into_iter()
            .enumerate()
        {
            let packed = crate::compress::zlib_compress(&text[..len]);
            let cut = packed.len() * 2 / 3;
            let mut corrupt = packed.clone();
            corrupt[2] |= 0b110; // block type 3
            let cases: [(&[u8], usize); 4] = [
                (&packed, 5000),
                (&packed[..cut], 5000),
                (&packed, len.saturating_sub(1 + i)),
                (&corrupt, 5000),
            ];
            for (input, limit) in cases {
                let fresh = crate::compress::zlib_decompress_capped_system(input, limit);
                let reused = zlib_decompress_capped_own_into(input, limit, &mut out);
                match fresh {
                    Ok(bytes) => assert_eq!((reused, &out), (Ok(()), &bytes)),
                    Err(e) => assert_eq!((reused, out.len()), (Err(e), 0)),
                }
            }
        }
    }
}
