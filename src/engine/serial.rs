//! The serial producer: every input read on one thread, in order, one
//! chunk after another.

use std::io;
use std::ops::ControlFlow;
use std::sync::atomic::AtomicU64;

use crate::chunk::{send_mapped, send_stream, Emit, Item};
use crate::input::open::Opened;

/// Reads every input in order on the calling thread and emits its items;
/// stops early (quietly) when `emit` breaks.
pub fn produce(opened: Vec<io::Result<Opened>>, progress: &AtomicU64, emit: &mut Emit<'_>) {
    for (idx, opened) in opened.into_iter().enumerate() {
        if emit_input(idx, opened, progress, emit).is_break() {
            return;
        }
    }
}

/// Emits one opened input on the calling thread: its `Opened` note, its
/// chunks, or its error.
pub fn emit_input(
    idx: usize,
    opened: io::Result<Opened>,
    progress: &AtomicU64,
    emit: &mut Emit<'_>,
) -> ControlFlow<()> {
    if let Ok(o) = &opened {
        if emit(Item::Opened {
            input: idx,
            how: o.how(),
        })
        .is_break()
        {
            return ControlFlow::Break(());
        }
    }
    let result = match opened {
        Ok(Opened::Mapped(map)) => send_mapped(idx, map, progress, emit),
        Ok(Opened::Stream {
            reader,
            live,
            expect_len,
            ..
        }) => send_stream(idx, reader, live, expect_len, emit),
        Err(error) => Err(Some(error)),
    };
    match result {
        Ok(()) => ControlFlow::Continue(()),
        Err(None) => ControlFlow::Break(()),
        Err(Some(error)) => emit(Item::Error { input: idx, error }),
    }
}
