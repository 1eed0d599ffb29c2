//! The key memo: the top-level keys of the lines indexed so far, which the
//! next line's keys are compared with before they are validated as strings.

use super::validate::{validate_string, JsonError};

/// The top-level keys of the objects indexed so far, and which key followed
/// which, to check the next object's keys against.
///
/// An API server writes an event's members in one order (its struct's),
/// leaving out the empty ones, so a key is nearly always the one that
/// followed the key before it last time; the next object's keys are checked
/// first by comparing their bytes with that one. The walk over a line is
/// bound by latency, from where one token ends to where the next starts: a
/// compare whose outcome the CPU predicts puts no step on that path, where
/// finding a string's end puts several. A key that differs is validated as
/// any string and remembered as the new successor.
#[derive(Debug, Clone)]
pub struct KeyMemo {
    /// Distinct keys seen, quoted; at most [`KeyMemo::MAX`].
    keys: Vec<QuotedKey>,
    /// `classes[k]`: what `classify` said of key `k`'s raw text.
    classes: Vec<u8>,
    /// Works out, once per distinct key, what a [`KeyHook`](super::KeyHook) would
    /// otherwise work out for every occurrence (see [`KeyMemo::new`]).
    classify: fn(&[u8]) -> u8,
    /// `next[k]`: the key that last followed key `k`; `next[MAX]` the one
    /// that last opened an object. [`KeyMemo::NONE`] when not yet seen.
    next: [u8; KeyMemo::MAX + 1],
}

impl Default for KeyMemo {
    /// A memo whose keys have no class: hooks get `None` for every key.
    fn default() -> Self {
        KeyMemo::new(|_| KeyMemo::UNCLASSED)
    }
}

/// A key as written, quotes included, in four little-endian words with the
/// bytes past its end masked off.
#[derive(Debug, Clone, Copy)]
struct QuotedKey {
    words: [u64; 4],
    masks: [u64; 4],
    len: usize,
}

impl QuotedKey {
    /// `None` for a key too long to keep (over 32 bytes quoted).
    fn new(quoted: &[u8]) -> Option<QuotedKey> {
        if quoted.len() > 32 {
            return None;
        }
        let mut bytes = [0u8; 32];
        bytes[..quoted.len()].copy_from_slice(quoted);
        let mut key = QuotedKey {
            words: [0; 4],
            masks: [0; 4],
            len: quoted.len(),
        };
        for w in 0..4 {
            key.words[w] = u64::from_le_bytes(bytes[w * 8..w * 8 + 8].try_into().expect("8"));
            let have = quoted.len().saturating_sub(w * 8).min(8);
            key.masks[w] = if have == 8 {
                !0
            } else {
                (1u64 << (have * 8)) - 1
            };
        }
        Some(key)
    }

    /// Whether `b[i..]` starts with this key, quotes included. Then the
    /// string at `i` is this same valid string and ends at `i + len`.
    #[inline(always)]
    fn starts(&self, b: &[u8], i: usize) -> bool {
        let Some(bytes) = b.get(i..i + 32) else {
            return false;
        };
        let word = |w: usize| u64::from_le_bytes(bytes[w * 8..w * 8 + 8].try_into().expect("8"));
        let diff = ((word(0) ^ self.words[0]) & self.masks[0])
            | ((word(1) ^ self.words[1]) & self.masks[1])
            | ((word(2) ^ self.words[2]) & self.masks[2])
            | ((word(3) ^ self.words[3]) & self.masks[3]);
        diff == 0
    }
}

impl KeyMemo {
    const MAX: usize = 64;
    const NONE: u8 = u8::MAX;
    /// Where an object's first key is predicted from.
    pub(super) const START: usize = KeyMemo::MAX;

    /// What a classifier returns for a key it leaves to the hook.
    const UNCLASSED: u8 = u8::MAX;

    /// A memo that classifies each distinct key it learns by `classify`
    /// (on its raw text, between the quotes), and hands the class to the
    /// [`KeyHook`](super::KeyHook) with every occurrence of that key. One memo must be used
    /// with hooks that read classes the way `classify` writes them.
    pub fn new(classify: fn(&[u8]) -> u8) -> Self {
        KeyMemo {
            keys: Vec::new(),
            classes: Vec::new(),
            classify,
            next: [KeyMemo::NONE; KeyMemo::MAX + 1],
        }
    }

    /// The class of the key `key` names (a value [`KeyMemo::key`] returned);
    /// `None` for [`KeyMemo::START`] (a key not kept) or [`KeyMemo::UNCLASSED`].
    #[inline(always)]
    pub(super) fn class(&self, key: usize) -> Option<u8> {
        self.classes
            .get(key)
            .copied()
            .filter(|&c| c != KeyMemo::UNCLASSED)
    }

    /// Validates the key string at `b[i] == b'"'`, which follows the key
    /// `prev` names (a value [`KeyMemo::key`] returned, or
    /// [`KeyMemo::START`]), as [`validate_string`] does: the same offset or
    /// error. Returns the offset and what names this key for the next call.
    #[inline(always)]
    pub(super) fn key(
        &mut self,
        b: &[u8],
        i: usize,
        prev: usize,
    ) -> Result<(usize, usize), JsonError> {
        let guess = usize::from(self.next[prev]);
        if let Some(known) = self.keys.get(guess) {
            if known.starts(b, i) {
                return Ok((i + known.len, guess));
            }
        }
        let end = validate_string(b, i)?;
        Ok((end, self.learn(prev, &b[i..end])))
    }

    /// Finds or adds `quoted` and makes it the successor of `prev`.
    #[cold]
    fn learn(&mut self, prev: usize, quoted: &[u8]) -> usize {
        let Some(key) = QuotedKey::new(quoted) else {
            return KeyMemo::START;
        };
        let at = match self
            .keys
            .iter()
            .position(|k| k.len == key.len && k.words == key.words)
        {
            Some(at) => at,
            None if self.keys.len() < KeyMemo::MAX => {
                self.keys.push(key);
                self.classes
                    .push((self.classify)(&quoted[1..quoted.len() - 1]));
                self.keys.len() - 1
            }
            // Full: predictions go on from what is there.
            None => return KeyMemo::START,
        };
        self.next[prev] = at as u8;
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::testing::{spans, xorshift};
    use crate::json::{index_line, index_line_nested, index_next_line};

    /// Keys checked against a memo of earlier lines' keys give what keys
    /// validated afresh give, members and errors alike: over a stream of
    /// lines with keys in changing orders, escaped, long, cut short, or
    /// differing from a remembered key in one byte anywhere.
    #[test]
    fn keys_checked_against_the_memo_are_validated_keys() {
        let lines = [
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","requestReceivedTimestamp":"t","user":{"username":"a"}}"#,
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","requestObject":{"kind":"Pod"},"verb":"get"}"#,
            r#"{"kind":"Event","k\"y\u0041":1,"a key longer than thirty-two bytes, quoted":2,"verb":"list"}"#,
            r#"{"kind":"Ev","verb":"x"}"#,
        ];
        let picks: &[u8] = b"\"\\ax:{}\x01\x80";
        let mut next = xorshift(0x5851_f42d_4c95_7f2d);
        let mut memo = KeyMemo::default();
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        let mut remembered = 0;
        for round in 0..20_000 {
            let mut line = lines[(next() % 4) as usize].as_bytes().to_vec();
            if round % 2 == 0 {
                for _ in 0..1 + next() % 2 {
                    let at = (next() % line.len() as u64) as usize;
                    line[at] = picks[(next() % picks.len() as u64) as usize];
                }
            }
            let with_memo = index_line_nested(&line, &mut a, &mut c, &mut (), &mut memo).map(drop);
            let fresh = index_line(&line, &mut b).map(drop);
            assert_eq!(with_memo, fresh, "{:?}", String::from_utf8_lossy(&line));
            if fresh.is_ok() {
                assert_eq!(spans(&a), spans(&b));
                remembered += 1;
            }
            // The same line in line mode, with more after it.
            line.extend_from_slice(b"\n{\"kind\":\"Event\"}\n");
            let fused = index_next_line(&line, &mut a, &mut c, &mut (), &mut memo);
            assert_eq!(fused.is_some(), fresh.is_ok());
            if fused.is_some() {
                assert_eq!(spans(&a), spans(&b));
            }
        }
        assert!(remembered > 10_000, "{remembered}");
    }
}
