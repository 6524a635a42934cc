//! A fast hasher for short keys that live only inside one computation.

/// FNV-1a, for lookups inside one run of the checker or the router (node ids, grid cells:
/// short keys, thousands per run): SipHash's defence against chosen keys buys nothing there
/// and costs a third of the lookup.
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

impl std::hash::BuildHasher for Fnv {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv::default()
    }
}
