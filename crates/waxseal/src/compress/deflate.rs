//! The port of stock zlib's level-6 deflate (releases 1.2.12-1.3.x: `deflate_slow`,
//! `longest_match` and `trees.c`) used by [`super::zlib_compress`] for inputs up to [`super::OWN_IMPL_MAX_LEN`] bytes.

use std::cell::RefCell;

use super::adler32::adler32;
use super::{BL_ORDER, EXTRA_DBITS, EXTRA_LBITS};

// --- deflate parameters (stock zlib, level 6, windowBits 15, memLevel 8) ---------------------------

const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const WSIZE: usize = 1 << 15;
const MIN_LOOKAHEAD: usize = MAX_MATCH + MIN_MATCH + 1;
/// Matches may not reach further back than this (zlib's `MAX_DIST`).
const MAX_DIST: usize = WSIZE - MIN_LOOKAHEAD;
const HASH_SIZE: usize = 1 << 15;
const HASH_MASK: usize = HASH_SIZE - 1;
/// Level 6 `configuration_table` entry: good_length 8, max_lazy 16, nice_length 128, max_chain 128.
const GOOD_LENGTH: usize = 8;
const MAX_LAZY: usize = 16;
const NICE_LENGTH: usize = 128;
const MAX_CHAIN: u32 = 128;
/// A length-3 match further back than this is not worth it (zlib's `TOO_FAR`).
const TOO_FAR: usize = 4096;
/// zlib's `lit_bufsize` is `1 << (memLevel + 6)`; `_tr_tally` asks for a flush once it holds
/// `lit_bufsize - 1` symbols.
const SYM_LIMIT: usize = (1 << (8 + 6)) - 1;
/// zlib zeroes `WIN_INIT` (= `MAX_MATCH`) bytes past the input, and `longest_match` compares into
/// them; we pad with (at least) as many zeros so the comparisons see the same bytes.
const WINDOW_PAD: usize = MAX_MATCH + 8;

// --- trees.c constants -------------------------------------------------------------------------

const LITERALS: usize = 256;
const END_BLOCK: usize = 256;
const LENGTH_CODES: usize = 29;
const L_CODES: usize = LITERALS + 1 + LENGTH_CODES;
const D_CODES: usize = 30;
const BL_CODES: usize = 19;
const HEAP_SIZE: usize = 2 * L_CODES + 1;
const MAX_BITS: usize = 15;
const MAX_BL_BITS: usize = 7;
const REP_3_6: usize = 16;
const REPZ_3_10: usize = 17;
const REPZ_11_138: usize = 18;

const EXTRA_BLBITS: [u8; BL_CODES] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];

/// First `length - MIN_MATCH` of each length code.
const BASE_LENGTH: [u8; LENGTH_CODES] = {
    let mut base = [0u8; LENGTH_CODES];
    let mut length = 0usize;
    let mut code = 0;
    while code < LENGTH_CODES - 1 {
        base[code] = length as u8;
        length += 1 << EXTRA_LBITS[code];
        code += 1;
    }
    // Length 258 has its own code (285) even though code 284 could express it with 5 extra bits.
    base[LENGTH_CODES - 1] = 255;
    base
};

/// Length code (0..29) for `length - MIN_MATCH` (zlib's `_length_code`).
const LENGTH_CODE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut code = 0;
    while code < LENGTH_CODES - 1 {
        let mut i = 0;
        while i < (1 << EXTRA_LBITS[code]) {
            table[BASE_LENGTH[code] as usize + i] = code as u8;
            i += 1;
        }
        code += 1;
    }
    // zlib overwrites the last entry so that 258 uses code 285, not 284.
    table[255] = (LENGTH_CODES - 1) as u8;
    table
};

/// First `distance - 1` of each distance code.
const BASE_DIST: [u16; D_CODES] = {
    let mut base = [0u16; D_CODES];
    let mut dist = 0u32;
    let mut code = 0;
    while code < D_CODES {
        base[code] = dist as u16;
        dist += 1 << EXTRA_DBITS[code];
        code += 1;
    }
    base
};

/// Distance code for `distance - 1` (RFC 1951 §3.2.5). zlib uses a two-level table (`d_code`);
/// a binary-search-free scan over the 30 bases gives the same answer and is only used for matches.
#[inline]
fn dist_code(dist0: usize) -> usize {
    // Codes come in pairs sharing an extra-bit count; the top set bit of `dist0` picks the pair.
    if dist0 < 4 {
        dist0
    } else {
        let top = usize::BITS - 1 - dist0.leading_zeros(); // >= 2
        let pair = 2 * top as usize;
        pair + ((dist0 >> (top - 1)) & 1)
    }
}

/// Bit lengths of the fixed literal/length code (RFC 1951 §3.2.6).
const STATIC_LTREE_LEN: [u8; L_CODES + 2] = {
    let mut len = [0u8; L_CODES + 2];
    let mut n = 0;
    while n < L_CODES + 2 {
        len[n] = if n < 144 {
            8
        } else if n < 256 {
            9
        } else if n < 280 {
            7
        } else {
            8
        };
        n += 1;
    }
    len
};

/// Codes of the fixed literal/length code, already bit-reversed for LSB-first output.
const STATIC_LTREE_CODE: [u16; L_CODES + 2] = {
    let mut bl_count = [0u16; MAX_BITS + 1];
    let mut n = 0;
    while n < L_CODES + 2 {
        bl_count[STATIC_LTREE_LEN[n] as usize] += 1;
        n += 1;
    }
    let mut next_code = [0u16; MAX_BITS + 1];
    let mut code = 0u16;
    let mut bits = 1;
    while bits <= MAX_BITS {
        code = (code + bl_count[bits - 1]) << 1;
        next_code[bits] = code;
        bits += 1;
    }
    let mut codes = [0u16; L_CODES + 2];
    let mut n = 0;
    while n < L_CODES + 2 {
        let len = STATIC_LTREE_LEN[n] as usize;
        codes[n] = bit_reverse(next_code[len], len as u32);
        next_code[len] += 1;
        n += 1;
    }
    codes
};

/// Reverses the low `len` bits of `code`: Huffman codes are sent most significant bit first
/// while everything else in DEFLATE is packed least significant bit first.
const fn bit_reverse(code: u16, len: u32) -> u16 {
    code.reverse_bits() >> (16 - len)
}

// --- bit output ----------------------------------------------------------------------------------

/// LSB-first bit packer (zlib's `send_bits` / `bi_windup`).
struct BitWriter {
    out: Vec<u8>,
    buf: u64,
    bits: u32,
}

impl BitWriter {
    #[inline]
    fn send(&mut self, value: u32, len: u32) {
        debug_assert!(len <= 16 && (len == 16 || value < (1 << len)));
        self.buf |= u64::from(value) << self.bits;
        self.bits += len;
        if self.bits >= 32 {
            self.out.extend_from_slice(&(self.buf as u32).to_le_bytes());
            self.buf >>= 32;
            self.bits -= 32;
        }
    }

    /// Moves the writer out of `self` (leaving an empty one), for hot loops: in a local, LLVM
    /// keeps `buf` and `bits` in registers, whereas through `&mut self` it reloads and stores
    /// them around every byte it writes to `out`.
    fn take(&mut self) -> BitWriter {
        BitWriter {
            out: std::mem::take(&mut self.out),
            buf: self.buf,
            bits: self.bits,
        }
    }

    /// Flushes the partial byte, padding with zero bits (zlib's `bi_windup`).
    fn windup(&mut self) {
        while self.bits > 0 {
            self.out.push(self.buf as u8);
            self.buf >>= 8;
            self.bits = self.bits.saturating_sub(8);
        }
        self.buf = 0;
    }
}

// --- Huffman trees (trees.c) ---------------------------------------------------------------------

/// Leaf slots per tree: `L_CODES` rounded up to a multiple of 16 for the chunked used-leaf scan
/// in `build_tree` (zlib's fixed literal tree has the same 288).
const LEAVES: usize = L_CODES + 2;

/// One of zlib's `ct_data` arrays with its `tree_desc`. Internal nodes only keep their `Len`
/// here: their frequency and depth travel inside the heap entries.
struct Tree {
    /// Leaf frequencies (zlib's `Freq`); slots at or past the tree's `elems` stay zero. A block
    /// has at most `SYM_LIMIT` symbols plus end-of-block, so `u16` holds any count (and halves
    /// what `build_tree` scans).
    freq: [u16; LEAVES],
    /// Bit lengths, leaves first, then the internal nodes `build_tree` creates (zlib's `Len`).
    len: [u8; HEAP_SIZE],
    /// Leaf codes, already bit-reversed for sending.
    code: [u16; LEAVES],
    /// The leaves that got a code (the used ones plus any zlib forces in), ascending.
    syms: [u16; LEAVES],
    nsyms: usize,
    /// Largest leaf with a nonzero frequency after `build_tree`.
    max_code: usize,
}

impl Tree {
    fn new() -> Self {
        Tree {
            freq: [0; LEAVES],
            len: [0; HEAP_SIZE],
            code: [0; LEAVES],
            syms: [0; LEAVES],
            nsyms: 0,
            max_code: 0,
        }
    }

    fn syms(&self) -> &[u16] {
        &self.syms[..self.nsyms]
    }
}

/// zlib's `static_tree_desc`: what differs between the literal, distance and bit-length trees.
struct TreeKind {
    /// Extra bits sent after each leaf's code (zlib's `extra_bits[n - extra_base]`).
    xbits: &'static [u8; LEAVES],
    /// Each leaf's cost in a fixed-code block, extra bits included (zlib's `stree[n].Len +
    /// xbits`); zeros for the bit-length tree, which has no fixed code.
    static_bits: &'static [u8; LEAVES],
    elems: usize,
    max_length: usize,
}

/// Spreads `extra` over the leaves from `base` on, and adds `fixed` (if any) for `static_bits`.
const fn leaf_table(extra: &[u8], base: usize, fixed: Option<&[u8]>, elems: usize) -> [u8; LEAVES] {
    let mut t = [0u8; LEAVES];
    let mut n = 0;
    while n < elems {
        if n >= base {
            t[n] = extra[n - base];
        }
        if let Some(fixed) = fixed {
            t[n] += fixed[n];
        }
        n += 1;
    }
    t
}

const L_KIND: TreeKind = TreeKind {
    xbits: &leaf_table(&EXTRA_LBITS, LITERALS + 1, None, L_CODES),
    static_bits: &leaf_table(&EXTRA_LBITS, LITERALS + 1, Some(&STATIC_LTREE_LEN), L_CODES),
    elems: L_CODES,
    max_length: MAX_BITS,
};
const D_KIND: TreeKind = TreeKind {
    xbits: &leaf_table(&EXTRA_DBITS, 0, None, D_CODES),
    static_bits: &leaf_table(&EXTRA_DBITS, 0, Some(&[5; D_CODES]), D_CODES),
    elems: D_CODES,
    max_length: MAX_BITS,
};
const BL_KIND: TreeKind = TreeKind {
    xbits: &leaf_table(&EXTRA_BLBITS, 0, None, BL_CODES),
    static_bits: &[0; LEAVES],
    elems: BL_CODES,
    max_length: MAX_BL_BITS,
};

/// zlib's `s->heap` entries are node numbers compared through `smaller(tree, n, m, depth)`, which
/// is exactly `(freq[n], depth[n]) <= (freq[m], depth[m])`. We store `freq << 24 | depth << 16 |
/// node` instead, so the sift compares `entry >> 16` without looking anything up; the node number
/// rides along below the key and never takes part in a comparison.
type HeapEntry = u64;

const fn heap_entry(freq: u64, depth: u64, node: usize) -> HeapEntry {
    (freq << 24) | (depth << 16) | node as u64
}

/// zlib's `smaller` on two entries.
#[inline(always)]
fn smaller(n: HeapEntry, m: HeapEntry) -> bool {
    n >> 16 <= m >> 16
}

#[inline(always)]
fn entry_node(e: HeapEntry) -> usize {
    (e & 0xffff) as usize
}

#[inline(always)]
fn entry_depth(e: HeapEntry) -> u64 {
    (e >> 16) & 0xff
}

#[inline(always)]
fn entry_freq(e: HeapEntry) -> u64 {
    e >> 24
}

/// Scratch shared by the `build_tree` calls of one block.
struct HeapScratch {
    /// zlib's heap, 1-based: `heap[1..=heap_len]`.
    heap: [HeapEntry; LEAVES + 1],
    /// zlib keeps the nodes in the order they leave the heap at the top of the same array,
    /// `heap[heap_max..HEAP_SIZE]`; here they get their own array with the same indexing.
    order: [u16; HEAP_SIZE],
    /// zlib's `Dad`.
    dad: [u16; HEAP_SIZE],
}

/// Per-block tree state: the three trees plus the heap scratch shared by `build_tree`.
struct Trees {
    ltree: Tree,
    dtree: Tree,
    bltree: Tree,
    scratch: HeapScratch,
    /// Bit length of the block with dynamic trees (zlib's `opt_len`); wraps like zlib's `ulg`
    /// while `build_tree` temporarily discounts forced leaves.
    opt_len: u64,
    /// Bit length of the block with the fixed trees (zlib's `static_len`).
    static_len: u64,
}

impl Trees {
    fn new() -> Self {
        let mut trees = Trees {
            ltree: Tree::new(),
            dtree: Tree::new(),
            bltree: Tree::new(),
            scratch: HeapScratch {
                heap: [0; LEAVES + 1],
                order: [0; HEAP_SIZE],
                dad: [0; HEAP_SIZE],
            },
            opt_len: 0,
            static_len: 0,
        };
        trees.init_block();
        trees
    }

    /// zlib's `init_block` after `flush_block`: only the leaves in `syms` can have counts (the
    /// used ones, and forced ones with their count of 1), so clear just those.
    fn reset_block(&mut self) {
        for tree in [&mut self.ltree, &mut self.dtree, &mut self.bltree] {
            for &n in &tree.syms[..tree.nsyms] {
                tree.freq[usize::from(n)] = 0;
            }
        }
        self.ltree.freq[END_BLOCK] = 1;
        self.opt_len = 0;
        self.static_len = 0;
    }

    /// zlib's `init_block`.
    fn init_block(&mut self) {
        self.ltree.freq[..L_CODES].fill(0);
        self.dtree.freq[..D_CODES].fill(0);
        self.bltree.freq[..BL_CODES].fill(0);
        self.ltree.freq[END_BLOCK] = 1;
        self.opt_len = 0;
        self.static_len = 0;
    }
}

/// zlib's `pqdownheap`: sift `heap[k]` down the 1-based min-heap `heap[1..=heap_len]`.
#[inline(always)]
fn pqdownheap(heap: &mut [HeapEntry; LEAVES + 1], heap_len: usize, mut k: usize) {
    let v = heap[k];
    let mut j = k << 1;
    while j <= heap_len {
        // Ties go to the right child, as in zlib.
        if j < heap_len && smaller(heap[j + 1], heap[j]) {
            j += 1;
        }
        if smaller(v, heap[j]) {
            break;
        }
        heap[k] = heap[j];
        k = j;
        j <<= 1;
    }
    heap[k] = v;
}

/// zlib's `build_tree` + `gen_bitlen` + `gen_codes`: Huffman code lengths limited to
/// `kind.max_length`, with zlib's exact tie-breaking, and the cost bookkeeping in
/// `opt_len`/`static_len`.
fn build_tree(
    tree: &mut Tree,
    kind: &TreeKind,
    s: &mut HeapScratch,
    opt_len: &mut u64,
    static_len: &mut u64,
) {
    let heap = &mut s.heap;
    let mut heap_len = 0usize;
    // Σ freq · extra bits and Σ freq · fixed-code cost of the used leaves: the parts of
    // zlib's `opt_len`/`static_len` sums in `gen_bitlen` that do not depend on the tree.
    let mut extra_cost = 0u64;
    let mut fixed_cost = 0u64;

    // zlib's first loop pushes the used leaves in ascending order. A small block uses few of
    // them, so take the leaves 16 at a time as a bit mask of the used ones (LLVM turns this into
    // a vector compare) and visit only the set bits, which also skips empty chunks.
    let scan_len = kind.elems.next_multiple_of(16);
    for (c, chunk) in tree.freq[..scan_len].chunks_exact(16).enumerate() {
        let mut used = chunk
            .iter()
            .enumerate()
            .fold(0u32, |mask, (i, &f)| mask | (u32::from(f != 0) << i));
        while used != 0 {
            let n = c * 16 + used.trailing_zeros() as usize;
            used &= used - 1;
            let f = u64::from(tree.freq[n]);
            heap_len += 1;
            heap[heap_len] = heap_entry(f, 0, n);
            tree.syms[heap_len - 1] = n as u16;
            extra_cost += f * u64::from(kind.xbits[n]);
            fixed_cost += f * u64::from(kind.static_bits[n]);
        }
    }
    tree.nsyms = heap_len;
    // -1 until a leaf is found, as in zlib.
    let mut max_code: isize = match tree.syms() {
        [.., last] => *last as isize,
        [] => -1,
    };

    // DEFLATE needs at least two codes (a one-code tree is not decodable by some inflaters), so
    // zlib invents leaf 0 or 1 with frequency 1. It subtracts the leaf's costs here and adds
    // them back in `gen_bitlen`. We subtract only from `opt_len`, where the leaf is added back
    // through `internal_cost` (below); `fixed_cost` never counted it, and forced leaves
    // (0..=2) have no extra bits in any tree, so `static_len` comes out the same.
    while heap_len < 2 {
        let node = if max_code < 2 {
            max_code += 1;
            max_code as usize
        } else {
            0
        };
        heap_len += 1;
        heap[heap_len] = heap_entry(1, 0, node);
        tree.freq[node] = 1;
        *opt_len = opt_len.wrapping_sub(1);
        // Keep `syms` ascending: the new leaf is either a new maximum or leaf 0 in front of the
        // single used leaf (>= 2).
        if node == 0 && tree.nsyms > 0 {
            tree.syms.copy_within(0..tree.nsyms, 1);
            tree.syms[0] = 0;
        } else {
            tree.syms[tree.nsyms] = node as u16;
        }
        tree.nsyms += 1;
    }
    let max_code = max_code as usize;
    tree.max_code = max_code;

    for n in (1..=heap_len / 2).rev() {
        pqdownheap(heap, heap_len, n);
    }

    // Repeatedly merge the two least frequent nodes, recording the removal order in
    // `order[heap_max..]`, which `gen_bitlen` walks root-first. The sum of the internal nodes'
    // frequencies is Σ freq · depth over the leaves: the tree's cost before any length limit.
    let mut heap_max = HEAP_SIZE;
    let mut node = kind.elems;
    let mut internal_cost = 0u64;
    loop {
        let n = heap[1];
        heap[1] = heap[heap_len];
        heap_len -= 1;
        pqdownheap(heap, heap_len, 1);
        let m = heap[1];

        heap_max -= 1;
        s.order[heap_max] = entry_node(n) as u16;
        heap_max -= 1;
        s.order[heap_max] = entry_node(m) as u16;

        s.dad[entry_node(n)] = node as u16;
        s.dad[entry_node(m)] = node as u16;
        let depth = entry_depth(n).max(entry_depth(m)) + 1;
        debug_assert!(depth < 256, "depth fits its 8 bits");
        let freq = entry_freq(n) + entry_freq(m);
        internal_cost += freq;
        heap[1] = heap_entry(freq, depth, node);
        node += 1;
        pqdownheap(heap, heap_len, 1);
        if heap_len < 2 {
            break;
        }
    }
    heap_max -= 1;
    s.order[heap_max] = entry_node(heap[1]) as u16;

    *static_len = static_len.wrapping_add(fixed_cost);
    if gen_bitlen(tree, kind, s, heap_max, opt_len) {
        *opt_len = opt_len.wrapping_add(internal_cost + extra_cost);
    }
}

/// zlib's `gen_bitlen`: depth-derived lengths, then zlib's specific repair of lengths that
/// exceed `max_length` (which is what makes over-long trees come out identical).
///
/// Returns whether the lengths are the plain depths; then the caller adds the cost to
/// `opt_len`, otherwise this does, leaf by leaf as zlib does.
#[must_use]
fn gen_bitlen(
    tree: &mut Tree,
    kind: &TreeKind,
    s: &HeapScratch,
    heap_max: usize,
    opt_len: &mut u64,
) -> bool {
    let max_length = kind.max_length;
    let max_code = tree.max_code;
    let mut overflow = 0i32;

    tree.len[usize::from(s.order[heap_max])] = 0;
    // zlib also counts the leaves per length (`bl_count`) here. That read-modify-write in memory
    // chains from one node to the next, and only a repair or `gen_codes` needs the counts, so
    // they count from the final lengths instead.
    for &n in &s.order[heap_max + 1..HEAP_SIZE] {
        let n = usize::from(n);
        let bits = usize::from(tree.len[usize::from(s.dad[n])]) + 1;
        overflow += i32::from(bits > max_length);
        tree.len[n] = bits.min(max_length) as u8;
    }
    if overflow == 0 {
        return true;
    }
    #[cfg(test)]
    tests::note_overflow_fixup(max_length);

    let mut bl_count = [0u16; MAX_BITS + 1];
    for &n in &tree.syms[..tree.nsyms] {
        let n = usize::from(n);
        bl_count[usize::from(tree.len[n])] += 1;
        let f = u64::from(tree.freq[n]);
        let cost = f * (u64::from(tree.len[n]) + u64::from(kind.xbits[n]));
        *opt_len = opt_len.wrapping_add(cost);
    }

    // Move overflowing leaves up by splitting the deepest non-full level, two at a time.
    loop {
        let mut bits = max_length - 1;
        while bl_count[bits] == 0 {
            bits -= 1;
        }
        bl_count[bits] -= 1;
        bl_count[bits + 1] += 2;
        bl_count[max_length] -= 1;
        overflow -= 2;
        if overflow <= 0 {
            break;
        }
    }

    // Reassign lengths: the least frequent leaves (removed from the heap first, so stored last)
    // get the longest codes.
    let mut h = HEAP_SIZE;
    for bits in (1..=max_length).rev() {
        let mut n = bl_count[bits];
        while n != 0 {
            h -= 1;
            let m = usize::from(s.order[h]);
            if m > max_code {
                continue;
            }
            if usize::from(tree.len[m]) != bits {
                let delta = (bits as u64)
                    .wrapping_sub(u64::from(tree.len[m]))
                    .wrapping_mul(u64::from(tree.freq[m]));
                *opt_len = opt_len.wrapping_add(delta);
                tree.len[m] = bits as u8;
            }
            n -= 1;
        }
    }
    false
}

/// zlib's `gen_codes`: canonical codes from the length counts, bit-reversed for sending. zlib
/// walks all leaves up to `max_code` and skips unused ones; `syms` holds exactly the used ones
/// in the same order. zlib runs this in `build_tree`; only a dynamic block needs the codes, so
/// `flush_block` runs it once it has picked one.
fn gen_codes(tree: &mut Tree) {
    let mut bl_count = [0u16; MAX_BITS + 1];
    for &n in &tree.syms[..tree.nsyms] {
        bl_count[usize::from(tree.len[usize::from(n)])] += 1;
    }
    let mut next_code = [0u16; MAX_BITS + 1];
    let mut code = 0u16;
    // next_code[bits] = (next_code[bits - 1] + bl_count[bits - 1]) << 1
    for (next, &count) in next_code[1..].iter_mut().zip(&bl_count[..MAX_BITS]) {
        code = code.wrapping_add(count) << 1;
        *next = code;
    }
    for &n in &tree.syms[..tree.nsyms] {
        let n = usize::from(n);
        let len = usize::from(tree.len[n]);
        if len == 0 {
            continue;
        }
        tree.code[n] = bit_reverse(next_code[len], len as u32);
        next_code[len] = next_code[len].wrapping_add(1);
    }
}

/// zlib's `scan_tree`/`send_tree` walk `len[0..=max_code]` one entry at a time, but what they
/// emit depends only on the maximal runs of equal lengths (see `code_len_run`). Those are the
/// zero gaps between used leaves and equal lengths among adjacent used leaves, so walk `syms`
/// and call `run(len, count)` per run.
#[inline(always)]
fn for_each_len_run(tree: &Tree, mut run: impl FnMut(usize, usize)) {
    let syms = tree.syms();
    let mut next = 0usize; // the first leaf not covered by a run yet
    let mut i = 0;
    while i < syms.len() {
        let first = usize::from(syms[i]);
        if first > next {
            run(0, first - next);
        }
        let len = tree.len[first];
        let mut end = first + 1;
        i += 1;
        while i < syms.len() && usize::from(syms[i]) == end && tree.len[end] == len {
            end += 1;
            i += 1;
        }
        run(usize::from(len), end - first);
        next = end;
    }
}

/// zlib's run-length coding of one maximal run of `count` code lengths `len`, calling
/// `emit(code, extra, extra_bits)` per bit-length symbol.
///
/// In zlib's loop a zero run always starts with `max_count` 138 / `min_count` 3 and keeps them;
/// a nonzero run starts with 7 / 4 and `prevlen != curlen` (so the length goes out once before
/// a repeat), then continues with 6 / 3 and `prevlen == curlen`.
#[inline(always)]
fn code_len_run(len: usize, count: usize, mut emit: impl FnMut(usize, u32, u32)) {
    if len == 0 {
        let mut left = count;
        while left >= 138 {
            emit(REPZ_11_138, 138 - 11, 7);
            left -= 138;
        }
        match left {
            0 => {}
            1 | 2 => {
                for _ in 0..left {
                    emit(0, 0, 0);
                }
            }
            3..=10 => emit(REPZ_3_10, (left - 3) as u32, 3),
            _ => emit(REPZ_11_138, (left - 11) as u32, 7),
        }
    } else {
        let first = count.min(7);
        if first < 4 {
            for _ in 0..first {
                emit(len, 0, 0);
            }
        } else {
            emit(len, 0, 0);
            emit(REP_3_6, (first - 1 - 3) as u32, 2);
        }
        let mut left = count - first;
        while left >= 6 {
            emit(REP_3_6, 6 - 3, 2);
            left -= 6;
        }
        if left >= 3 {
            emit(REP_3_6, (left - 3) as u32, 2);
        } else {
            for _ in 0..left {
                emit(len, 0, 0);
            }
        }
    }
}

/// zlib's `scan_tree`: count how often each bit-length code will be sent.
fn scan_tree(tree: &Tree, bl_freq: &mut [u16; LEAVES]) {
    for_each_len_run(tree, |len, count| {
        code_len_run(len, count, |code, _, _| bl_freq[code] += 1);
    });
}

/// zlib's `send_tree`: send one tree's code lengths with the bit-length code.
fn send_tree(tree: &Tree, bl: &Tree, outer: &mut BitWriter) {
    let w = &mut outer.take();
    for_each_len_run(tree, |len, count| {
        code_len_run(len, count, |code, extra, extra_bits| {
            // One write for code and extra bits: at most 7 + 7 bits.
            let code_len = u32::from(bl.len[code]);
            w.send(
                u32::from(bl.code[code]) | (extra << code_len),
                code_len + extra_bits,
            );
        });
    });
    *outer = w.take();
}

// --- symbols and block output ----------------------------------------------------------------------

/// One entry of zlib's `sym_buf`: a literal (`dist == 0`) or a match.
#[derive(Clone, Copy)]
struct Sym {
    /// Match distance, or 0 for a literal.
    dist: u16,
    /// The literal byte, or `match length - MIN_MATCH`.
    lc: u8,
}

/// zlib's `_tr_flush_block`: pick stored, fixed or dynamic for `syms` (covering `block`, the
/// input bytes since the last flush) and append it to `w`.
fn flush_block(t: &mut Trees, syms: &[Sym], block: &[u8], last: bool, w: &mut BitWriter) {
    let Trees {
        ltree,
        dtree,
        bltree,
        scratch,
        opt_len,
        static_len,
    } = t;

    build_tree(ltree, &L_KIND, scratch, opt_len, static_len);
    build_tree(dtree, &D_KIND, scratch, opt_len, static_len);

    // build_bl_tree
    scan_tree(ltree, &mut bltree.freq);
    scan_tree(dtree, &mut bltree.freq);
    // Unused bit-length codes must read as length 0 below and in `send_all_trees`.
    bltree.len[..BL_CODES].fill(0);
    build_tree(bltree, &BL_KIND, scratch, opt_len, static_len);
    let mut max_blindex = BL_CODES - 1;
    while max_blindex >= 3 && bltree.len[BL_ORDER[max_blindex]] == 0 {
        max_blindex -= 1;
    }
    *opt_len = opt_len.wrapping_add(3 * (max_blindex as u64 + 1) + 5 + 5 + 4);

    let opt_lenb = opt_len.wrapping_add(3 + 7) >> 3;
    let static_lenb = static_len.wrapping_add(3 + 7) >> 3;
    // zlib 1.2.12+: `if (static_lenb <= opt_lenb || strategy == Z_FIXED) opt_lenb = static_lenb`.
    let opt_lenb = opt_lenb.min(static_lenb);
    let last_bit = u32::from(last);

    if block.len() as u64 + 4 <= opt_lenb {
        // Stored: 3-bit header, byte-align, LEN, NLEN, raw bytes.
        w.send(last_bit, 3);
        w.windup();
        let len = block.len() as u16;
        w.out.extend_from_slice(&len.to_le_bytes());
        w.out.extend_from_slice(&(!len).to_le_bytes());
        w.out.extend_from_slice(block);
    } else if static_lenb == opt_lenb {
        w.send((1 << 1) | last_bit, 3);
        compress_block(
            syms,
            |c| (STATIC_LTREE_CODE[c], u16::from(STATIC_LTREE_LEN[c])),
            |c| (bit_reverse(c as u16, 5), 5),
            w,
        );
    } else {
        w.send((2 << 1) | last_bit, 3);
        gen_codes(ltree);
        gen_codes(dtree);
        gen_codes(bltree);
        // send_all_trees
        let lcodes = ltree.max_code + 1;
        let dcodes = dtree.max_code + 1;
        let blcodes = max_blindex + 1;
        w.send((lcodes - 257) as u32, 5);
        w.send((dcodes - 1) as u32, 5);
        w.send((blcodes - 4) as u32, 4);
        for &code in &BL_ORDER[..blcodes] {
            w.send(u32::from(bltree.len[code]), 3);
        }
        send_tree(ltree, bltree, w);
        send_tree(dtree, bltree, w);
        let (lt, dt) = (&*ltree, &*dtree);
        compress_block(
            syms,
            |c| (lt.code[c], u16::from(lt.len[c])),
            |c| (dt.code[c], u16::from(dt.len[c])),
            w,
        );
    }
    t.reset_block();
    if last {
        w.windup();
    }
}

/// zlib's `compress_block`: the symbols with the given codes, then end-of-block.
fn compress_block(
    syms: &[Sym],
    lcode: impl Fn(usize) -> (u16, u16),
    dcode: impl Fn(usize) -> (u16, u16),
    w: &mut BitWriter,
) {
    let send = |w: &mut BitWriter, (code, len): (u16, u16)| w.send(u32::from(code), u32::from(len));
    let outer = w;
    let w = &mut outer.take();
    for sym in syms {
        if sym.dist == 0 {
            send(w, lcode(usize::from(sym.lc)));
        } else {
            let lc = usize::from(sym.lc);
            let code = usize::from(LENGTH_CODE[lc]);
            send(w, lcode(code + LITERALS + 1));
            let extra = u32::from(EXTRA_LBITS[code]);
            if extra != 0 {
                w.send((lc - usize::from(BASE_LENGTH[code])) as u32, extra);
            }
            let dist0 = usize::from(sym.dist) - 1;
            let code = dist_code(dist0);
            send(w, dcode(code));
            let extra = u32::from(EXTRA_DBITS[code]);
            if extra != 0 {
                w.send((dist0 - usize::from(BASE_DIST[code])) as u32, extra);
            }
        }
    }
    send(w, lcode(END_BLOCK));
    *outer = w.take();
}

// --- the matcher (deflate.c) -----------------------------------------------------------------------

/// Reusable per-thread state, so a call allocates nothing but its output.
struct Scratch {
    /// The input followed by `WINDOW_PAD` zeros.
    window: Vec<u8>,
    /// Hash heads (`NIL` = 0). Kept all-zero between calls by clearing only the touched slots.
    head: Box<[u16; HASH_SIZE]>,
    /// Hash chains; every slot read was written earlier in the same call, so never cleared.
    prev: Vec<u16>,
    syms: Vec<Sym>,
    /// Between calls the counts are those of an empty block (`reset_block` after each flush).
    trees: Box<Trees>,
    /// Set while a call runs: if one was interrupted, `head` and the tree counts may hold its
    /// data, and the next call starts over from clean state.
    dirty: bool,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            window: Vec::new(),
            head: Box::new([0; HASH_SIZE]),
            prev: Vec::new(),
            syms: Vec::new(),
            trees: Box::new(Trees::new()),
            dirty: false,
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}

/// zlib's hash of three bytes: `UPDATE_HASH` with `hash_shift` 5 over 15 bits keeps exactly the
/// last three bytes, so the rolling value equals this direct formula.
#[inline(always)]
fn hash_of(b0: u8, b1: u8, b2: u8) -> usize {
    ((usize::from(b0) << 10) ^ (usize::from(b1) << 5) ^ usize::from(b2)) & HASH_MASK
}

/// zlib's `longest_match` for level 6. Returns the match length (at most `lookahead`) and updates
/// `match_start` only when it finds a match longer than `prev_length`.
fn longest_match(
    window: &[u8],
    prev: &[u16],
    strstart: usize,
    lookahead: usize,
    prev_length: usize,
    mut cur_match: usize,
    match_start: &mut usize,
) -> usize {
    let mut chain_length = MAX_CHAIN;
    let mut best_len = prev_length;
    let limit = strstart.saturating_sub(MAX_DIST);
    if prev_length >= GOOD_LENGTH {
        chain_length >>= 2;
    }
    let nice_match = NICE_LENGTH.min(lookahead);
    // zlib compares up to MAX_MATCH bytes even past the input, where its window holds zeros.
    let scan = &window[strstart..strstart + MAX_MATCH];

    loop {
        let cand = &window[cur_match..cur_match + MAX_MATCH];
        // zlib's quick rejects: a longer match must agree at best_len and best_len - 1.
        if cand[best_len] == scan[best_len]
            && cand[best_len - 1] == scan[best_len - 1]
            && cand[0] == scan[0]
            && cand[1] == scan[1]
        {
            let len = common_prefix(scan, cand);
            if len > best_len {
                *match_start = cur_match;
                best_len = len;
                if len >= nice_match {
                    break;
                }
            }
        }
        cur_match = usize::from(prev[cur_match]);
        chain_length -= 1;
        if cur_match <= limit || chain_length == 0 {
            break;
        }
    }
    best_len.min(lookahead)
}

/// Length of the common prefix of two equally long slices.
#[inline]
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut i = 0;
    // Eight bytes at a time: the first differing bit of the XOR locates the first differing byte.
    while i + 8 <= a.len() {
        let x = u64::from_le_bytes(a[i..i + 8].try_into().unwrap_or([0; 8]))
            ^ u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
        if x != 0 {
            return i + (x.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < a.len() && a[i] == b[i] {
        i += 1;
    }
    i
}

/// Fills `prev` for the whole input at once, as zlib's `INSERT_STRING` calls would.
///
/// With the whole input in the window, zlib inserts every position that has three bytes ahead
/// (`lookahead >= MIN_MATCH`, or `strstart <= max_insert` inside a match) exactly once and in
/// order, and `INSERT_STRING` returns the chain head it replaces, which is what it stores in
/// `prev`. So `prev[pos]` is the previous position with the same hash (0, zlib's NIL, if none),
/// and the matcher can read it instead of hashing as it goes. Leaves `head` all zero again.
fn insert_all(window: &[u8], head: &mut [u16; HASH_SIZE], prev: &mut [u16], n: usize) {
    let last = n.saturating_sub(MIN_MATCH - 1);
    let input = &window[..n];
    for (pos, (p, tri)) in prev[..last].iter_mut().zip(input.windows(3)).enumerate() {
        let h = hash_of(tri[0], tri[1], tri[2]);
        *p = head[h];
        head[h] = pos as u16;
    }
    for tri in input.windows(3) {
        head[hash_of(tri[0], tri[1], tri[2])] = 0;
    }
}

/// zlib's `deflate_slow` over the whole input (already in `s.window`), writing raw DEFLATE
/// blocks to `w`.
fn deflate_slow(s: &mut Scratch, n: usize, w: &mut BitWriter) {
    let Scratch {
        window,
        prev,
        syms,
        trees,
        ..
    } = s;
    // Plain slices and a local symbol count: with the `Vec`s themselves, every store into a
    // buffer makes LLVM reload the `Vec` headers, at every position.
    let window: &[u8] = window;
    let prev: &[u16] = prev;
    // Holds min(n, SYM_LIMIT) symbols: every symbol covers at least one input byte, and a full
    // buffer is flushed at once (see `compress_small`).
    let syms: &mut [Sym] = syms;
    let trees: &mut Trees = trees;
    let mut nsym = 0usize;

    let mut strstart = 0usize;
    let mut block_start = 0usize;
    let mut match_length = MIN_MATCH - 1;
    let mut match_start = 0usize;
    let mut match_available = false;

    // `n == strstart + lookahead` throughout: the whole input is in the window from the start.
    while strstart < n {
        let lookahead = n - strstart;
        // zlib's INSERT_STRING would return head[h] here: the previous position with the same
        // hash, which `insert_all` stored in `prev[strstart]`.
        let hash_head = if lookahead >= MIN_MATCH {
            usize::from(prev[strstart])
        } else {
            0
        };

        let prev_length = match_length;
        let prev_match = match_start;
        match_length = MIN_MATCH - 1;

        if hash_head != 0 && prev_length < MAX_LAZY && strstart - hash_head <= MAX_DIST {
            match_length = longest_match(
                window,
                prev,
                strstart,
                lookahead,
                prev_length,
                hash_head,
                &mut match_start,
            );
            if match_length == MIN_MATCH && strstart - match_start > TOO_FAR {
                match_length = MIN_MATCH - 1;
            }
        }

        if prev_length >= MIN_MATCH && match_length <= prev_length {
            // The match at strstart - 1 wins: emit it and skip the positions it covers.
            let dist = strstart - 1 - prev_match;
            let lc = prev_length - MIN_MATCH;
            syms[nsym] = Sym {
                dist: dist as u16,
                lc: lc as u8,
            };
            nsym += 1;
            trees.ltree.freq[usize::from(LENGTH_CODE[lc]) + LITERALS + 1] += 1;
            trees.dtree.freq[dist_code(dist - 1)] += 1;
            let flush = nsym == SYM_LIMIT;
            // zlib inserts the positions the match covers here; `insert_all` already did.
            strstart += prev_length - 1;
            match_available = false;
            match_length = MIN_MATCH - 1;
            if flush {
                flush_block(
                    trees,
                    &syms[..nsym],
                    &window[block_start..strstart],
                    false,
                    w,
                );
                nsym = 0;
                block_start = strstart;
            }
        } else if match_available {
            // No better match here: the byte before strstart goes out as a literal.
            let lit = window[strstart - 1];
            syms[nsym] = Sym { dist: 0, lc: lit };
            nsym += 1;
            trees.ltree.freq[usize::from(lit)] += 1;
            if nsym == SYM_LIMIT {
                flush_block(
                    trees,
                    &syms[..nsym],
                    &window[block_start..strstart],
                    false,
                    w,
                );
                nsym = 0;
                block_start = strstart;
            }
            strstart += 1;
        } else {
            match_available = true;
            strstart += 1;
        }
    }
    if match_available {
        // zlib tallies the pending literal without checking for a full buffer.
        let lit = window[strstart - 1];
        syms[nsym] = Sym { dist: 0, lc: lit };
        nsym += 1;
        trees.ltree.freq[usize::from(lit)] += 1;
    }
    flush_block(
        trees,
        &syms[..nsym],
        &window[block_start..strstart],
        true,
        w,
    );
}

/// stock zlib (1.2.12-1.3.x) at level 6.
pub(super) fn compress_small(input: &[u8]) -> Vec<u8> {
    let with_scratch = |s: &mut Scratch| {
        let n = input.len();
        if s.dirty {
            s.head.fill(0);
            s.trees.init_block();
        }
        s.window.clear();
        s.window.extend_from_slice(input);
        s.window.resize(n + WINDOW_PAD, 0);
        if s.prev.len() < n {
            s.prev.resize(n, 0);
        }
        let max_syms = n.min(SYM_LIMIT);
        if s.syms.len() < max_syms {
            s.syms.resize(max_syms, Sym { dist: 0, lc: 0 });
        }

        // Typical small JSON compresses to well under its size; stored blocks cost 5 bytes each.
        let mut w = BitWriter {
            out: Vec::with_capacity(n + 16),
            buf: 0,
            bits: 0,
        };
        // CMF 0x78 (deflate, 32 KiB window), FLG 0x9c (FLEVEL 2 = default level, check bits).
        w.out.extend_from_slice(&[0x78, 0x9c]);
        s.dirty = true;
        insert_all(&s.window, &mut s.head, &mut s.prev, n);
        deflate_slow(s, n, &mut w);
        s.dirty = false;
        w.out.extend_from_slice(&adler32(input).to_be_bytes());
        w.out
    };
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => with_scratch(&mut s),
        // Only reachable through re-entrancy, which nothing here does; stay correct anyway.
        Err(_) => with_scratch(&mut Scratch::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::super::OWN_IMPL_MAX_LEN;
    use super::*;
    use std::cell::Cell;
    use waxseal_interop::XorShift;

    thread_local! {
        /// How often `gen_bitlen` had to repair over-long codes: [literal/distance, bit-length].
        static FIXUPS: Cell<[usize; 2]> = const { Cell::new([0; 2]) };
    }

    pub(super) fn note_overflow_fixup(max_length: usize) {
        FIXUPS.with(|f| {
            let mut v = f.get();
            v[usize::from(max_length == MAX_BL_BITS)] += 1;
            f.set(v);
        });
    }

    fn fixups() -> [usize; 2] {
        FIXUPS.with(Cell::get)
    }

    fn pinned_zlib(input: &[u8]) -> Vec<u8> {
        super::super::compress_with_zlib(input)
    }

    fn below(rng: &mut XorShift, n: usize) -> usize {
        (rng.next_u64() % n as u64) as usize
    }

    /// Bytes in which no 3-byte string occurs twice, so deflate finds no match and every byte
    /// becomes a literal symbol.
    fn unique_trigrams(rng: &mut XorShift, len: usize, alphabet: u64) -> Vec<u8> {
        let mut seen = std::collections::HashSet::new();
        let mut v: Vec<u8> = Vec::with_capacity(len);
        while v.len() < len {
            let b = (rng.next_u64() % alphabet) as u8;
            let n = v.len();
            if n >= 2 && !seen.insert([v[n - 2], v[n - 1], b]) {
                continue;
            }
            v.push(b);
        }
        v
    }

    fn assert_same_as_zlib(data: &[u8]) {
        assert!(data.len() <= OWN_IMPL_MAX_LEN);
        assert!(
            compress_small(data) == pinned_zlib(data),
            "mismatch, {} bytes",
            data.len()
        );
    }

    /// Text over an alphabet with geometric letter weights (ratio `r`/256) and random lengths.
    fn skewed_text(rng: &mut XorShift, letters: usize, r: u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                let mut sym = 0;
                while sym + 1 < letters && rng.next_u64() % 256 < r {
                    sym += 1;
                }
                (sym * 37 % 256) as u8
            })
            .collect()
    }

    #[test]
    fn overlong_bit_length_codes_are_repaired_like_zlib() {
        // Slowly decaying letter weights over many letters give the code-length alphabet a
        // skewed distribution whose optimal tree is deeper than the 7-bit limit; `gen_bitlen`
        // (the same repair zlib uses for the 15-bit literal and distance trees) must fix it up.
        let mut hit = 0;
        for seed in 1..300u64 {
            let mut rng = XorShift::new(seed * 2_654_435_761);
            let letters = 2 + below(&mut rng, 250);
            let r = 64 + rng.next_u64() % 190;
            let len = 50 + below(&mut rng, 16000);
            let data = skewed_text(&mut rng, letters, r, len);
            let before = fixups()[1];
            assert_same_as_zlib(&data);
            hit += usize::from(fixups()[1] > before);
        }
        assert!(
            hit >= 10,
            "only {hit} inputs needed the 7-bit length repair"
        );
    }

    #[test]
    fn symbol_buffer_flush_splits_the_block_like_zlib() {
        // 16384 literals: zlib's sym_buf fills at 16383 and forces a (stored) first block.
        let data = unique_trigrams(&mut XorShift::new(77), OWN_IMPL_MAX_LEN, 256);
        assert_same_as_zlib(&data);
        assert_same_as_zlib(&data[..OWN_IMPL_MAX_LEN - 1]);
        // Unique trigrams over 40 letters: a Huffman-coded first block, then the flush.
        assert_same_as_zlib(&unique_trigrams(
            &mut XorShift::new(79),
            OWN_IMPL_MAX_LEN,
            40,
        ));
        // Same with text-like bytes (some matches now), so the first block is Huffman-coded.
        let mut text = data.clone();
        for b in &mut text {
            *b = if *b < 128 { *b } else { *b & 0x3f };
        }
        assert_same_as_zlib(&text);
        let mut dynamic = unique_trigrams(&mut XorShift::new(78), OWN_IMPL_MAX_LEN, 256);
        dynamic.iter_mut().step_by(3).for_each(|b| *b = b'e');
        assert_same_as_zlib(&dynamic);
    }

    #[test]
    fn three_byte_matches_beyond_too_far_are_dropped_like_zlib() {
        for dist in [4094, 4095, 4096, 4097, 4098] {
            let mut rng = XorShift::new(dist as u64);
            // A 64-letter alphabet makes the block Huffman-coded, so the match shows in the output.
            let mut data = unique_trigrams(&mut rng, 9000, 64);
            let src = 1000;
            let dst = src + dist;
            data.copy_within(src..src + 3, dst);
            // Make sure the copy is exactly 3 long and not extendable either way.
            data[dst + 3] = data[src + 3].wrapping_add(1);
            data[dst - 1] = data[src - 1].wrapping_add(1);
            assert_same_as_zlib(&data);
        }
    }

    #[test]
    fn incompressible_input_at_the_limit_matches_zlib() {
        let mut rng = XorShift::new(5);
        for len in [0, 1, 2, 3, 100, OWN_IMPL_MAX_LEN] {
            let data: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
            assert_same_as_zlib(&data);
        }
    }

    #[test]
    fn dist_code_matches_base_table() {
        for dist0 in 0..32768usize {
            let code = dist_code(dist0);
            assert!(usize::from(BASE_DIST[code]) <= dist0, "{dist0}");
            assert!(
                dist0 < usize::from(BASE_DIST[code]) + (1 << EXTRA_DBITS[code]),
                "{dist0}"
            );
        }
    }

    #[test]
    fn length_code_matches_base_table() {
        for (lc, &code) in LENGTH_CODE.iter().enumerate().take(255) {
            let code = usize::from(code);
            assert!(usize::from(BASE_LENGTH[code]) <= lc);
            assert!(lc < usize::from(BASE_LENGTH[code]) + (1 << EXTRA_LBITS[code]));
        }
        assert_eq!(LENGTH_CODE[255], 28);
    }

    /// Low-entropy bytes with many equal frequencies (ties in the Huffman heap), runs, and copies
    /// from random distances (ties among length and distance codes).
    fn tie_heavy(rng: &mut XorShift, len: usize) -> Vec<u8> {
        let letters = 1 + below(rng, 40);
        let base = (rng.next_u64() % 200) as u8;
        let mut v: Vec<u8> = Vec::with_capacity(len);
        while v.len() < len {
            match below(rng, 8) {
                0 if v.len() > 3 => {
                    // A copy of 3..=40 bytes from up to 300 bytes back (clamped to what exists).
                    let back = 1 + below(rng, 300.min(v.len()));
                    let n = 3 + below(rng, 38);
                    let start = v.len() - back;
                    for i in 0..n {
                        v.push(v[start + i]);
                    }
                }
                1 => {
                    let b = base.wrapping_add(below(rng, letters) as u8);
                    let n = 1 + below(rng, 12);
                    v.extend(std::iter::repeat(b).take(n));
                }
                _ => v.push(base.wrapping_add(below(rng, letters) as u8)),
            }
        }
        v.truncate(len);
        v
    }

    #[test]
    fn tie_heavy_inputs_match_zlib() {
        let mut rng = XorShift::new(0x5eed_1234_9876_0001);
        for i in 0..6000 {
            let len = if i % 500 == 499 {
                below(&mut rng, OWN_IMPL_MAX_LEN + 1)
            } else {
                below(&mut rng, 2001)
            };
            let data = match i % 3 {
                0 => tie_heavy(&mut rng, len),
                1 => {
                    let letters = 2 + below(&mut rng, 60);
                    let r = 100 + rng.next_u64() % 156;
                    skewed_text(&mut rng, letters, r, len)
                }
                _ => {
                    // Uniform over a few letters: the most ties of all.
                    let letters = 1 + below(&mut rng, 30) as u64;
                    (0..len)
                        .map(|_| b'a' + (rng.next_u64() % letters) as u8)
                        .collect()
                }
            };
            assert_same_as_zlib(&data);
        }
    }
}
