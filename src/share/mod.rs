//! Share links: a design in the URL fragment, `#d=` then a version marker then a compact,
//! format-aware binary encoding of the design (defaults omitted, fields by position, addresses
//! packed), deflated, followed by a CRC-32 of the uncompressed bytes, in base64url without
//! padding. The encoding is its own versioned type, not the in-memory model: version 1 links
//! decode the same forever (golden links in the tests).
//!
//! Limits, checked before and while decoding: a fragment of at most 64 KiB, inflating to at
//! most 4 MiB. Every damaged, truncated or hostile link gives a clear error, never a panic.

pub mod codec;

use std::io::{Read, Write};

use thiserror::Error;

use crate::model::Design;

/// The version marker of the first encoding (the first character after `d=`): every design
/// without the fields added later is written with it, byte for byte as before.
pub const VERSION: char = '1';
/// The version marker of links that carry the fields added after version 1 (notes, owner):
/// the same layout followed by an extension block (`codec`).
pub const VERSION_2: char = '2';
/// The longest fragment accepted (everything after `#`).
pub const MAX_FRAGMENT: usize = 64 * 1024;
/// The most bytes a link may inflate to.
pub const MAX_INFLATED: usize = 4 * 1024 * 1024;
/// The fragment length above which the UI suggests a file instead.
pub const LONG_LINK: usize = 2000;

/// Why a link could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShareError {
    /// Not a design link at all.
    #[error("this is not a design link (it should contain #d= followed by the design)")]
    NotALink,
    /// Longer than the cap.
    #[error("the link is too long ({0} characters; at most {max}): share the design as a file", max = MAX_FRAGMENT)]
    TooLong(usize),
    /// A version marker this release does not know.
    #[error("the link has an unknown version marker {0:?}: it was made by a newer release, or it is damaged")]
    UnknownVersion(String),
    /// A character outside base64url.
    #[error("the link is damaged: {0:?} at position {1} is not a link character")]
    BadCharacter(char, usize),
    /// Too short to hold a design.
    #[error("the link is truncated: it is too short to hold a design")]
    Truncated,
    /// Deflate data that does not decompress.
    #[error("the link is damaged or truncated: its data does not decompress")]
    BadCompression,
    /// Would inflate past the cap.
    #[error("the link would inflate past 4 MiB; it is refused")]
    TooLarge,
    /// The checksum does not match.
    #[error("the link is damaged: its checksum does not match (a character was changed or lost)")]
    Checksum,
    /// The decoded bytes are not a valid encoding.
    #[error("the link is damaged: {0}")]
    Malformed(String),
    /// The decoded design breaks the format's rules.
    #[error("the link holds an invalid design: {0}")]
    InvalidDesign(String),
}

/// A link's encoded form, and whether fields had to be left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The fragment without `#`: `d=1…`.
    pub fragment: String,
    /// True when unknown fields of the design were left out (a file keeps them).
    pub dropped_unknown: bool,
}

impl Encoded {
    /// Why this link cannot be handed out: longer than links open (`MAX_FRAGMENT`), so it
    /// would never open. The one check the browser and the command line make.
    pub fn too_large(&self) -> Option<String> {
        (self.fragment.len() > MAX_FRAGMENT).then(|| {
            format!(
                "the design is too large for a link ({} characters; links open up to {})",
                self.fragment.len(),
                MAX_FRAGMENT
            )
        })
    }
}

/// Encodes a design as a fragment (`d=1…`, without the `#`).
pub fn encode(design: &Design) -> Encoded {
    let (payload, dropped_unknown, version) = codec::write(design);
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = z.write_all(&payload);
    let mut bytes = z.finish().unwrap_or_default();
    bytes.extend_from_slice(&crc32(&payload).to_be_bytes());
    let mut fragment = String::from("d=");
    fragment.push(if version == 2 { VERSION_2 } else { VERSION });
    fragment.push_str(&base64url(&bytes));
    Encoded { fragment, dropped_unknown }
}

/// A full URL: `base` (without any fragment) then `#` and the fragment.
pub fn url(base: &str, design: &Design) -> (String, Encoded) {
    let enc = encode(design);
    let base = base.split('#').next().unwrap_or("");
    (format!("{base}#{}", enc.fragment), enc)
}

/// Decodes a link: a whole URL, a `#d=…` fragment, or `d=…`.
pub fn decode(link: &str) -> Result<Design, ShareError> {
    let packed = unpack(link)?;
    let mut payload = Vec::new();
    let reader = flate2::read::DeflateDecoder::new(packed.compressed.as_slice());
    reader.take(MAX_INFLATED as u64 + 1).read_to_end(&mut payload).map_err(|_| ShareError::BadCompression)?;
    finish(&payload, packed.crc, packed.version)
}

/// A link's data before it is inflated: the deflated payload and the checksum of the payload.
/// The browser inflates it with its own `DecompressionStream` (stopping past `MAX_INFLATED`),
/// everything else with `decode`; both then call `finish`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    /// The payload, deflated (raw deflate, no header).
    pub compressed: Vec<u8>,
    /// CRC-32 of the inflated payload.
    pub crc: u32,
    /// The encoding's version (1 or 2).
    pub version: u8,
}

/// Reads a link up to its deflated payload: the fragment, its length, the version marker,
/// base64url and the checksum's place.
pub fn unpack(link: &str) -> Result<Packed, ShareError> {
    let link = link.trim();
    let fragment = match link.find('#') {
        Some(i) => &link[i + 1..],
        None => link,
    };
    if fragment.len() > MAX_FRAGMENT {
        return Err(ShareError::TooLong(fragment.len()));
    }
    let data = fragment.split('&').find_map(|part| part.strip_prefix("d=")).ok_or(ShareError::NotALink)?;
    let mut chars = data.chars();
    let version = match chars.next() {
        Some(VERSION) => 1,
        Some(VERSION_2) => 2,
        Some(other) => return Err(ShareError::UnknownVersion(other.to_string())),
        None => return Err(ShareError::Truncated),
    };
    let mut bytes = unbase64url(chars.as_str(), 3)?;
    if bytes.len() < 6 {
        return Err(ShareError::Truncated);
    }
    let crc = bytes.split_off(bytes.len() - 4);
    Ok(Packed { compressed: bytes, crc: u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]), version })
}

/// The design in an inflated payload: its size, its checksum, the encoding, and everything
/// the file format requires.
pub fn finish(payload: &[u8], crc: u32, version: u8) -> Result<Design, ShareError> {
    if payload.len() > MAX_INFLATED {
        return Err(ShareError::TooLarge);
    }
    if crc32(payload) != crc {
        return Err(ShareError::Checksum);
    }
    let mut design = codec::read(payload, version).map_err(ShareError::Malformed)?;
    // Everything the file format requires holds for a decoded design too.
    crate::model::format::validate(&mut design).map_err(|e| ShareError::InvalidDesign(e.to_string()))?;
    Ok(design)
}

/// CRC-32 (IEEE) of bytes, bit by bit: a share link's checksum covers a few kilobytes, and the
/// table of a faster implementation would cost the browser's first load 16 KB (the zip writer,
/// which runs in the export worker, keeps crc32fast).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
pub fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url without padding; `offset` is where the text starts in the fragment (for
/// error positions).
fn unbase64url(text: &str, offset: usize) -> Result<Vec<u8>, ShareError> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for (i, c) in text.chars().enumerate() {
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '-' => 62,
            '_' => 63,
            _ => return Err(ShareError::BadCharacter(c, i + offset)),
        };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        // One dangling character cannot come from whole bytes.
        return Err(ShareError::Truncated);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips() {
        for n in 0..40 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(unbase64url(&base64url(&bytes), 0).unwrap(), bytes);
        }
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
        assert!(matches!(unbase64url("ab=c", 0), Err(ShareError::BadCharacter('=', 2))));
        assert_eq!(unbase64url("A", 0), Err(ShareError::Truncated));
    }
}
