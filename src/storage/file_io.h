#ifndef VMQ_STORAGE_FILE_IO_H_
#define VMQ_STORAGE_FILE_IO_H_

// The file operations state files need, each failing with a message instead of throwing.

#include <cstddef>
#include <string>
#include <string_view>

namespace vmq::storage {

// Replaces `path` with `bytes` so that a reader sees the old file or the new one, never a mix:
// writes `path`.tmp, then (when `durable`) fsyncs it, renames it over `path` and fsyncs the
// directory, so that the new file survives a power loss once this returns. Without `durable`
// the rename is still atomic for other processes and a crash of this one.
bool WriteFileAtomically(const std::string& path, std::string_view bytes, bool durable,
                         std::string* error);

// Appends with one write(2): in the page cache once this returns, which a killed process
// does not lose; not fsynced.
bool AppendToFile(const std::string& path, std::string_view bytes, std::string* error);

enum class ReadStatus { kOk, kMissing, kTooLarge, kError };
// Reads the whole file unless it is larger than `max_bytes` (checked before reading).
ReadStatus ReadFileBounded(const std::string& path, size_t max_bytes, std::string* out,
                           std::string* error);

// syncfs(2) on the file system holding `dir`: every write made so far reaches the disk.
bool SyncFileSystem(const std::string& dir, std::string* error);

// Creates `dir` (and its parents) when missing; false when it cannot be created or written.
bool EnsureWritableDirectory(const std::string& dir, std::string* error);

}  // namespace vmq::storage

#endif  // VMQ_STORAGE_FILE_IO_H_
