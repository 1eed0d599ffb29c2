//! Feed arbitrary bytes through format detection and the line scanner, as
//! one chunk and cut into several: nothing may panic, and every byte is
//! accounted for.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kaq::fuzzing::scan_bytes(data);
});
