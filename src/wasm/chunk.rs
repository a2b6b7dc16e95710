//! A chunk of a JS body into wasm memory, for both shells (the npm classes and the Rust API).

use js_sys::Uint8Array;

use crate::error::Error;

/// Chunks up to this size keep their buffer between feeds.
const KEEP_CHUNK_BUFFER: usize = 64 * 1024;

/// Copies a JS chunk into `buf` (reused), allocating fallibly: out of wasm memory is a
/// [`Error::Stream`] instead of a trap that would poison the instance.
pub(crate) fn copy_chunk<'b>(chunk: &Uint8Array, buf: &'b mut Vec<u8>) -> Result<&'b [u8], Error> {
    let len = chunk.length() as usize;
    buf.clear();
    if buf.try_reserve_exact(len).is_err() {
        return Err(Error::stream(format!("out of memory: cannot take a chunk of {len} bytes")));
    }
    // Into the spare capacity: no zeroing first, the copy writes every byte.
    Ok(chunk.copy_to_uninit(buf.spare_capacity_mut().get_mut(..len).unwrap_or_default()))
}

/// Drops a large chunk buffer (a small one is kept for the next chunk).
pub(crate) fn release(buf: &mut Vec<u8>) {
    if buf.capacity() > KEEP_CHUNK_BUFFER {
        *buf = Vec::new();
    }
}
