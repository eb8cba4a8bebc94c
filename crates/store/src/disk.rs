//! The disk under SQLite's files: how much Linux reads ahead when a page is not in its cache.
//!
//! SQLite reads a B-tree a page (4 KiB) at a time, at places that have nothing to do with each
//! other; Linux, seeing two reads side by side, reads ahead of them, up to the disk's
//! `read_ahead_kb`, and a read of the same pages by another connection waits for all of it. On a
//! disk set to 8 MiB (the project's build machines), a patient's audit trail at 10 M ledger rows
//! read from a cold cache took 3.5 ms at the median and 26–58 ms at the 99th percentile (single
//! reads of 4 KiB waiting 5–15 ms); set to the kernel's default of 128 KiB, 3.0 ms and 5.1 ms.
//! The setting belongs to whoever runs the machine, so the server says so at start-up
//! ([`warn_if_reading_far_ahead`]) and the bench prints it beside its cold-cache figures.

use std::{os::unix::fs::MetadataExt as _, path::Path};

/// More than this, and a read of one page brings pages a B-tree rarely wants next.
const FAR_AHEAD_KIB: u64 = 512;

/// How many KiB Linux reads ahead on the disk that holds `file` (or would hold it: a file not
/// made yet is looked for in its directory); `None` where that cannot be told (not Linux, a file
/// system on no single disk, no such directory).
pub fn read_ahead_kib(file: &Path) -> Option<u64> {
    let metadata = std::fs::metadata(file)
        .or_else(|error| match file.parent() {
            Some(directory) if !directory.as_os_str().is_empty() => std::fs::metadata(directory),
            _ => Err(error),
        })
        .ok()?;
    let (major, minor) = major_minor(metadata.dev());
    if major == 0 {
        // tmpfs, overlay, btrfs subvolumes: no block device of their own.
        return None;
    }
    let block = format!("/sys/dev/block/{major}:{minor}");
    // A whole disk has its queue; a partition's is its disk's, one directory up.
    ["queue/read_ahead_kb", "../queue/read_ahead_kb"]
        .iter()
        .find_map(|setting| std::fs::read_to_string(format!("{block}/{setting}")).ok())
        .and_then(|kib| kib.trim().parse().ok())
}

/// Linux's encoding of a device number (glibc's `gnu_dev_major` and `gnu_dev_minor`).
fn major_minor(device: u64) -> (u64, u64) {
    (
        ((device >> 8) & 0xfff) | ((device >> 32) & !0xfff),
        (device & 0xff) | ((device >> 12) & !0xff),
    )
}

/// Logs a warning, with what to do about it, when the disk holding `file` reads far ahead.
pub(crate) fn warn_if_reading_far_ahead(file: &Path) {
    if let Some(kib) = read_ahead_kib(file).filter(|&kib| kib > FAR_AHEAD_KIB) {
        tracing::warn!(
            read_ahead_kib = kib,
            "the disk holding the database reads {kib} KiB ahead whenever a page is not in the \
             operating system's cache; SQLite reads pages at random, and reads from a cold cache \
             wait for the whole amount: set the disk's queue/read_ahead_kb to 128 (the kernel's \
             default), e.g. with `blockdev --setra 256`"
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::disk::{major_minor, read_ahead_kib};

    #[test]
    fn a_directory_that_is_not_there_has_no_disk() {
        assert_eq!(read_ahead_kib(Path::new("/no/such/file.db")), None);
    }

    #[test]
    fn device_numbers_split_as_linux_writes_them() {
        // `stat -c %D`: fe00 is 254:0 (a virtio disk); 10303 is 259:3 (an NVMe partition);
        // minors past 255 keep their high bits above the major's.
        assert_eq!(major_minor(0xfe00), (254, 0));
        assert_eq!(major_minor(0x10303), (259, 3));
        assert_eq!(major_minor(0x10082c), (8, 300));
    }
}
