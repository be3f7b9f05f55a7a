//! A stable 64-bit hash (FNV-1a): the same on every machine and in every version, for SARIF
//! fingerprints, the HTML report's anchors and the pieces prose is compared by.

/// FNV-1a over bytes.
pub fn fnv64(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h: u64, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
