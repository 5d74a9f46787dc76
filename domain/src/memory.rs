//! Memory given back after the few large things the server does (uploads, imports): glibc
//! keeps what each thread's arena freed for reuse, so a burst of 10 MiB uploads left the
//! process at its peak for good.
//!
//! glibc also raises the size from which it maps a block on its own (instead of taking it
//! from an arena) each time such a block is freed, up to 32 MiB: after one burst of 10 MiB
//! uploads, every later buffer under 10 MiB came from the arenas, and a 20,000-row import
//! took the server from 150 MiB to 1.5 GiB (2 GiB on PostgreSQL) before it was given back.
//! `tune` fixes that size at start, which turns the raising off.

/// Blocks from this size up are mapped on their own and unmapped when freed.
pub const MAP_FROM_BYTES: i32 = 256 * 1024;

/// Fixes the allocator's mapping threshold; call once, first thing in `main`.
#[allow(unsafe_code)]
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt sets one of the allocator's parameters; it takes no pointer.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MAP_FROM_BYTES);
    }
}

/// Returns the allocator's free pages to the operating system. With `tune`, the only
/// `unsafe` in Fuhua (the workspace denies it everywhere else): calls into glibc that take
/// no pointer.
#[allow(unsafe_code)]
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of the allocator's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}
