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
// journal was full, 'D' the number dropped before this file was written. A
// torn or corrupt record (a crash in mid-write) ends the replay there and is
// cut off. Records are written at once (a crash of the process loses nothing)
// and flushed to disk at most once a second (a power cut loses at most about a
// second). When the dead records outweigh the live ones the file is rewritten
// (temporary file, fsync, rename).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace footfall::transport {

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
  // file cannot be created, read or written.
  MessageJournal(std::string path, std::size_t max_entries);
  ~MessageJournal();
  MessageJournal(const MessageJournal&) = delete;
  MessageJournal& operator=(const MessageJournal&) = delete;

  // Appends a message, first dropping (and counting) the oldest ones if the
  // journal is full: the oldest not yet handed to the connection, else the
  // oldest. Never throws for I/O errors (the message is kept in memory and
  // the error is kept for TakeError()). Returns the message's id.
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
  // Rewrites the file without its dead records, if it has any (shutdown).
  void Tidy();

  std::size_t size() const;
  std::size_t in_flight() const;
  std::uint64_t dropped_total() const;
  // The last I/O error since the previous call, or "" if none.
  std::string TakeError();
  // What opening found worth telling (a torn record cut off, entries dropped
  // to fit a smaller bound), or "".
  const std::string& open_note() const { return open_note_; }
  // Damaged records skipped when the file was opened.
  std::size_t corrupt_records() const { return corrupt_records_; }
  const std::string& path() const { return path_; }

  static constexpr std::chrono::seconds kSyncInterval{1};
  // Rewrite when the file is larger than this and mostly dead records.
  static constexpr std::size_t kCompactMinBytes = 64 * 1024;

 private:
  struct Slot {
    JournalEntry entry;
    bool in_flight = false;
  };

  void Load();
  void OpenForAppend();
  bool WriteRecord(const std::string& body) noexcept;
  void DropOne();
  void MaybeCompact();
  void Compact();
  void SyncLocked();
  void SetError(const std::string& what);
  std::size_t FindIndex(std::uint64_t id) const;

  const std::string path_;
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::deque<Slot> slots_;  // oldest first, ascending ids
  std::uint64_t next_id_ = 1;
  std::uint64_t dropped_total_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t file_bytes_ = 0;
  std::size_t live_bytes_ = 0;  // bytes of the live 'M' records
  int fd_ = -1;
  bool dirty_ = false;
  std::chrono::steady_clock::time_point last_sync_{};
  std::string error_;
  std::string open_note_;
  std::size_t corrupt_records_ = 0;
};

}  // namespace footfall::transport
