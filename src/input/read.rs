//! The one loop that reads bytes from a stream into a buffer, for the batch
//! reader ([`crate::chunk::send_stream`]) and follow mode alike.

use std::io::{self, Read};

/// Reads until `buf[..*filled]` holds at least `want` bytes or the reader
/// ends; returns whether it ended. Bytes past `*filled` are scratch: a
/// recycled buffer (see `chunk::buffer`) is read into as it is, and only the
/// part it grows by is zeroed first.
pub fn fill(
    reader: &mut dyn Read,
    buf: &mut Vec<u8>,
    filled: &mut usize,
    want: usize,
) -> io::Result<bool> {
    while *filled < want {
        let room = want.max(*filled + 64 * 1024);
        if buf.len() < room {
            buf.resize(room, 0);
        }
        match reader.read(&mut buf[*filled..]) {
            Ok(0) => return Ok(true),
            Ok(n) => *filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}
