// Purpose: the on-disk offline buffer of the MQTT publisher. Every message
// handed to the publisher is appended to <state_dir>/mqtt-journal before it is
// sent and stays there until the broker acknowledges it, so a restart of
// footfalld (crash, SIGTERM, power cut) resends what was not acknowledged.
// The journal holds at most `max_entries` messages: beyond that the oldest are
// dropped and counted, and the count survives restarts.
//
// Format: an 8-byte magic, then records [u32 body length][u32 CRC-32 of the
// body][body], little-endian. Bodies: 'M' a message (id, creation time, QoS,
// retained, topic, payload), 'A' an acknowledgement of an id, 'X' an id dropped because the
// journal was full, 'D' the number dropped before this record. A
// torn last record (a crash in mid-write) is cut off at the next start; a
// corrupt record in the middle is skipped and counted. Records are written at
// once (a crash of the process loses nothing) and flushed to disk at most once
// a second (a power cut loses at most about a second). When the dead records
// outweigh the live ones the file is rewritten (temporary file, fsync, rename)
// by MaybeCompact(), which the publisher calls again and again and which
// returns why a rewrite failed.
//
// When the file cannot be written (the disk is full, an I/O error) the
// journal is "failing": a partly written record is cut off again, and from
// then on messages are held in memory only, at most `max_memory_only` of them
// (beyond that the oldest of them are dropped and counted: memory_dropped);
// the acknowledgements and drops of messages already on disk are owed to the
// file. CatchUp(), called again and again by the delivery policy, writes what
// is owed and what is held in memory, oldest first, once the file takes it
// again (or rewrites the file if its state is unknown after a failed
// truncation or flush). The file's operations go through JournalFile, so that
// tests can make them fail.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"

namespace footfall::transport {

// The journal file's operations (real: PosixJournalFile in the .cc).
class JournalFile {
 public:
  virtual ~JournalFile() = default;
  // Appends `bytes` at the end. On failure part of them may have been
  // written; the reason names the file ("cannot append to /x: No space ...").
  virtual Status Append(const std::string& bytes) = 0;
  // Cuts the file to `size` bytes.
  virtual Status TruncateTo(std::size_t size) = 0;
  // Replaces the whole file atomically and durably (temporary file, fsync,
  // rename); on failure the old file is kept.
  virtual Status Replace(const std::string& content) = 0;
  // Flushes what was appended to disk (fdatasync).
  virtual Status Sync() = 0;
};
// The real file at `path` (opened when first used, mode 0600).
std::unique_ptr<JournalFile> MakePosixJournalFile(const std::string& path);

struct JournalEntry {
  std::uint64_t id = 0;
  std::string topic;
  std::string payload;
  int qos = 1;
  bool retained = false;
  std::int64_t created_ms = 0;  // when appended, ms since the epoch (UTC)
};

class MessageJournal final {
 public:
  // Opens or creates the journal at `path` (creating its directory, mode 0700)
  // and loads the unacknowledged messages. Throws std::runtime_error if the
  // file cannot be created, read or written. `file`: the file's operations
  // (default: the real file at `path`).
  MessageJournal(std::string path, std::size_t max_entries,
                 std::size_t max_memory_only = kDefaultMaxMemoryOnly,
                 std::unique_ptr<JournalFile> file = nullptr);
  ~MessageJournal();
  MessageJournal(const MessageJournal&) = delete;
  MessageJournal& operator=(const MessageJournal&) = delete;

  // Appends a message, first dropping (and counting) the oldest ones if the
  // journal is full: the oldest not yet handed to the connection, else the
  // oldest. Never throws for I/O errors: if the file cannot be written the
  // journal is failing() and the message is held in memory (the oldest held
  // in memory dropped, and counted, beyond max_memory_only). Returns the
  // message's id.
  // `created_ms`: the message's creation time (ms since the epoch), -1 = now.
  std::uint64_t Append(const std::string& topic, std::string payload, int qos, bool retained,
                       std::int64_t created_ms = -1);
  // Removes an acknowledged message; false if the id is unknown (dropped).
  bool Ack(std::uint64_t id);
  // Up to `max_in_flight` minus those in flight of the oldest messages not yet
  // handed over, marked as in flight.
  std::vector<JournalEntry> TakeForSending(std::size_t max_in_flight);
  // The message is to be sent again (its delivery failed).
  void Requeue(std::uint64_t id);
  // Every message is to be sent again (a new connection without the old one's
  // in-flight messages).
  void RequeueAll();
  // Flushes to disk if anything was written since the last flush.
  void Sync();
  // Flushes if the last flush is older than kSyncInterval.
  void MaybeSync();
  // Rewrites the file without its dead records when they outweigh the live
  // ones (and it is larger than kCompactMinBytes); called again and again by
  // the publisher. Not while failing. On failure the old file is kept
  // (nothing is lost) and the reason returned, for the caller to log.
  Status MaybeCompact();
  // Rewrites the file without its dead records, if it has any (shutdown);
  // catches up first if failing (still failing: Ok, failing() says it).
  // Returns why the rewrite failed (the old file is kept).
  Status Tidy();
  // While failing: writes what is owed to the file and the messages held in
  // memory, oldest first, as far as the file takes them. True if the journal
  // is no longer failing (nothing held in memory only).
  bool CatchUp();

  // The file is behind what the journal holds: messages are held in memory
  // only (a restart would lose them) until CatchUp() succeeds.
  bool failing() const;
  // Why the last write failed, while failing(); else "".
  std::string failing_error() const;
  // Messages held in memory only (not in the file), and their bound.
  std::size_t memory_only() const;
  std::size_t max_memory_only() const { return max_memory_only_; }
  // Messages dropped because more than max_memory_only were held in memory,
  // since the journal was opened.
  std::uint64_t memory_dropped_total() const;

  std::size_t size() const;
  std::size_t in_flight() const;
  std::uint64_t dropped_total() const;
  // What opening found worth telling (a torn record cut off, entries dropped
  // to fit a smaller bound), or "".
  const std::string& open_note() const { return open_note_; }
  // Damaged records skipped when the file was opened.
  std::size_t corrupt_records() const { return corrupt_records_; }
  const std::string& path() const { return path_; }

  static constexpr std::chrono::seconds kSyncInterval{1};
  static constexpr std::size_t kDefaultMaxMemoryOnly = 10000;
  // Rewrite when the file is larger than this and mostly dead records.
  static constexpr std::size_t kCompactMinBytes = 64 * 1024;

 private:
  struct Slot {
    JournalEntry entry;
    bool in_flight = false;
    bool on_disk = true;  // its 'M' record is in the file
  };

  void Load();
  // Appends one record; on failure cuts off what part of it was written and
  // keeps the reason in failing_error_. Whether or not failing.
  bool AppendRecord(const std::string& body) noexcept;
  // AppendRecord unless failing; a failure makes the journal failing.
  bool WriteRecord(const std::string& body) noexcept;
  // The record of a message on disk gone (acknowledged 'A', dropped 'X'):
  // written, or owed while failing.
  void RecordGone(char type, std::uint64_t id);
  void Erase(std::size_t index);
  void DropOne();
  void DropOldestMemoryOnly();
  bool CatchUpLocked();
  // Rewrites the whole file from what the journal holds; on failure the old
  // file is kept.
  Status Compact();
  void SyncLocked();
  std::size_t FindIndex(std::uint64_t id) const;

  const std::string path_;
  const std::size_t max_entries_;
  const std::size_t max_memory_only_;
  std::unique_ptr<JournalFile> file_;
  mutable std::mutex mutex_;
  std::deque<Slot> slots_;  // oldest first, ascending ids
  std::uint64_t next_id_ = 1;
  std::uint64_t dropped_total_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t file_bytes_ = 0;
  std::size_t live_bytes_ = 0;  // bytes of the live 'M' records
  bool dirty_ = false;
  bool failing_ = false;
  bool rewrite_due_ = false;      // the file's tail is unknown: only a rewrite repairs it
  std::deque<std::string> owed_;  // record bodies owed to the file, in order
  std::size_t memory_only_ = 0;   // slots not on disk
  std::uint64_t memory_dropped_ = 0;
  std::string failing_error_;
  std::chrono::steady_clock::time_point last_sync_{};
  std::string open_note_;
  std::size_t corrupt_records_ = 0;
};

}  // namespace footfall::transport
