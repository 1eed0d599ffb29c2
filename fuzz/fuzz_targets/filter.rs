//! Parse, check, compile and evaluate an arbitrary filter against an
//! arbitrary event: nothing may panic, overflow the stack or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kaq::fuzzing::filter_against_event(data);
});
