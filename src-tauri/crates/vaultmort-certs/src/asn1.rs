//! A minimal DER/BER reader and DER writer for the few structures this crate walks by hand:
//! PKCS#7 certificate bags, the outer layers of a PFX, PKCS#8 key headers and ECDSA signatures.
//!
//! Only single-byte tags are handled (every structure walked here uses them). Indefinite
//! lengths are accepted on constructed values, since some Windows tools write BER PKCS#7.
//! Everything else (certificates, CSRs, extensions) is parsed by `x509-parser`.

/// One tag-length-value element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet.
    pub tag: u8,
    /// The contents (for indefinite lengths, without the end-of-contents octets).
    pub content: &'a [u8],
    /// The whole element, header included.
    pub raw: &'a [u8],
}

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;

const MAX_DEPTH: usize = 32;

/// Reads one element from the front of `input`; returns it and what follows.
pub(crate) fn read(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    read_at_depth(input, 0)
}

fn read_at_depth(input: &[u8], depth: usize) -> Option<(Tlv<'_>, &[u8])> {
    if depth > MAX_DEPTH {
        return None;
    }
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags are not used by anything walked here
    }
    let first_len = *input.get(1)?;
    if first_len == 0x80 {
        // Indefinite length: only for constructed values; contents run to the matching 00 00.
        if tag & 0x20 == 0 {
            return None;
        }
        let mut rest = &input[2..];
        let mut consumed = 2;
        loop {
            if rest.len() >= 2 && rest[0] == 0 && rest[1] == 0 {
                let content = &input[2..consumed];
                let total = consumed + 2;
                return Some((Tlv { tag, content, raw: &input[..total] }, &input[total..]));
            }
            let (child, after) = read_at_depth(rest, depth + 1)?;
            consumed += child.raw.len();
            rest = after;
        }
    }
    let (len, header) = if first_len < 0x80 {
        (first_len as usize, 2)
    } else {
        let count = (first_len & 0x7f) as usize;
        if count == 0 || count > 4 {
            return None;
        }
        let bytes = input.get(2..2 + count)?;
        let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, 2 + count)
    };
    let end = header.checked_add(len)?;
    let raw = input.get(..end)?;
    Some((Tlv { tag, content: &raw[header..], raw }, &input[end..]))
}

/// Reads exactly one element that fills `input`.
pub(crate) fn read_all(input: &[u8]) -> Option<Tlv<'_>> {
    match read(input)? {
        (tlv, []) => Some(tlv),
        _ => None,
    }
}

/// The elements inside a constructed value's contents.
pub(crate) fn children(content: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        let (tlv, after) = read(rest)?;
        out.push(tlv);
        rest = after;
    }
    Some(out)
}

/// DER-encodes one element.
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// DER-encodes a non-negative big-endian integer (leading zeros dropped, a zero added when the top bit is set).
pub(crate) fn encode_unsigned_integer(bytes: &[u8]) -> Vec<u8> {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let trimmed = &bytes[first..];
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(trimmed);
    encode(INTEGER, &content)
}

/// The DER contents of an OBJECT IDENTIFIER given in dotted form, for comparisons.
pub(crate) fn oid_content(dotted: &str) -> Option<Vec<u8>> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().ok()).collect::<Option<_>>()?;
    if arcs.len() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) {
        return None;
    }
    let mut out = Vec::new();
    let mut push = |mut value: u64| {
        let mut stack = vec![(value & 0x7f) as u8];
        value >>= 7;
        while value > 0 {
            stack.push(0x80 | (value & 0x7f) as u8);
            value >>= 7;
        }
        out.extend(stack.iter().rev());
    };
    push(arcs[0].checked_mul(40)?.checked_add(arcs[1])?);
    for arc in &arcs[2..] {
        push(*arc);
    }
    Some(out)
}

/// Whether `tlv` is an OBJECT IDENTIFIER equal to `dotted`.
pub(crate) fn is_oid(tlv: &Tlv<'_>, dotted: &str) -> bool {
    tlv.tag == OID && oid_content(dotted).is_some_and(|c| c == tlv.content)
}

/// The dotted form of an OBJECT IDENTIFIER's contents.
pub(crate) fn oid_to_dotted(content: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for (i, b) in content.iter().enumerate() {
        if value > (u64::MAX >> 7) {
            return None;
        }
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        } else if i + 1 == content.len() {
            return None;
        }
    }
    if arcs.is_empty() {
        return None;
    }
    Some(arcs.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
}
