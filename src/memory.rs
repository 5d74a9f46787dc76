//! Memory given back after the few large things the server does (uploads, imports): glibc
//! keeps what each thread's arena freed for reuse, so a burst of 10 MiB uploads left the
//! process at its peak for good.

/// Returns the allocator's free pages to the operating system. The one `unsafe` in Fuhua
/// (the workspace denies it everywhere else): a call into glibc that takes no pointer.
#[allow(unsafe_code)]
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of the allocator's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}
