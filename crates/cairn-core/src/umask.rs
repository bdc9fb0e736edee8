//! The process umask, read without changing it.

/// The umask, from `/proc/self/status` (`umask(2)` can only be read by setting it, which
/// races with other threads); `None` where Linux does not report it.
pub fn umask() -> Option<u32> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
}
