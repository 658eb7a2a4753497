// Purpose: the one home of durable file I/O: the text of an errno, writing a
// whole buffer, making a directory tree, syncing a directory, and replacing a
// file atomically (temporary file in the same directory, fsync, rename, fsync
// of the directory). The sequence store, the MQTT journal and the seed file
// use these; run-time failures come back as Status (base/result.h).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>

#include "base/result.h"

namespace footfall {

// strerror(err), e.g. "No space left on device".
std::string ErrnoText(int err);
// "what path: strerror(errno)", for start-up exceptions.
std::string ErrnoMessage(const std::string& what, const std::string& path);

// Writes all `size` bytes (retrying short writes and EINTR); else the
// reason, strerror(errno) (errno is left as the failed write set it).
Status WriteAll(int fd, const void* data, std::size_t size);

// Creates `dir` and any missing parents with `mode`; a part that exists and
// is not a directory is an error. Says which part failed and why.
Status MakeDirs(const std::filesystem::path& dir, mode_t mode = 0700);

// fsync of the directory holding `file`, so that a rename there survives a
// power cut. Best effort: some file systems cannot sync a directory.
void SyncDirectoryOf(const std::string& file);

// Replaces `path` by a file of mode 0600 holding `data`, atomically: readers
// see the old or the new content, never a mix. With `durable`, the data and
// the rename are on disk when it returns. On failure the old file is kept
// and the temporary one removed; the reason names the file, after `what`:
// "cannot write sequence file /x/seq.tmp: No space left on device".
Status ReplaceFile(const std::string& path, const void* data, std::size_t size, bool durable,
                   const std::string& what);

}  // namespace footfall
