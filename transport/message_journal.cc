// Purpose: the append-only journal of unacknowledged MQTT messages (see
// message_journal.h for the format and the durability policy).
#include "transport/message_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "base/byte_order.h"
#include "base/crc32.h"
#include "base/file_io.h"

namespace footfall::transport {

namespace {

constexpr char kMagic[8] = {'F', 'F', 'J', 'R', 'N', 'L', '1', '\n'};
constexpr std::size_t kRecordHeader = 8;  // length + CRC
// 'M', id, creation time, QoS, retained, topic length.
constexpr std::size_t kMessageHeader = 1 + 8 + 8 + 1 + 1 + 4;
constexpr std::uint32_t kMaxBody = 256u * 1024u * 1024u;  // far above any message

void PutU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}
void PutU64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}
std::uint32_t GetU32(const char* p) { return LoadLe32(reinterpret_cast<const std::uint8_t*>(p)); }
std::uint64_t GetU64(const char* p) { return LoadLe64(reinterpret_cast<const std::uint8_t*>(p)); }

std::string MessageBody(const JournalEntry& e) {
  std::string body;
  body.reserve(kMessageHeader + e.topic.size() + e.payload.size());
  body.push_back('M');
  PutU64(body, e.id);
  PutU64(body, static_cast<std::uint64_t>(e.created_ms));
  body.push_back(static_cast<char>(e.qos));
  body.push_back(e.retained ? 1 : 0);
  PutU32(body, static_cast<std::uint32_t>(e.topic.size()));
  body += e.topic;
  body += e.payload;
  return body;
}

// The size on disk of a message's record.
std::size_t RecordSize(const JournalEntry& e) {
  return kRecordHeader + kMessageHeader + e.topic.size() + e.payload.size();
}

std::string IdBody(char type, std::uint64_t value) {
  std::string body(1, type);
  PutU64(body, value);
  return body;
}

std::string Frame(const std::string& body) {
  std::string rec;
  rec.reserve(kRecordHeader + body.size());
  PutU32(rec, static_cast<std::uint32_t>(body.size()));
  PutU32(rec, Crc32(body));
  rec += body;
  return rec;
}

// Creates the journal's directory and any missing parents with mode 0700.
void MakeStateDirs(const std::filesystem::path& dir) {
  if (Status made = MakeDirs(dir, 0700); !made) {
    throw std::runtime_error("cannot create state directory " + dir.string() + ": " + made.error());
  }
}

class PosixJournalFile final : public JournalFile {
 public:
  explicit PosixJournalFile(std::string path) : path_(std::move(path)) {}
  ~PosixJournalFile() override { Close(); }
  PosixJournalFile(const PosixJournalFile&) = delete;
  PosixJournalFile& operator=(const PosixJournalFile&) = delete;

  Status Append(const std::string& bytes) override {
    if (Status opened = Open(); !opened) return opened;
    if (Status written = WriteAll(fd_, bytes.data(), bytes.size()); !written) {
      return Fail("cannot append to MQTT journal " + path_ + ": " + written.error());
    }
    return {};
  }
  Status TruncateTo(std::size_t size) override {
    if (Status opened = Open(); !opened) return opened;
    if (ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return Fail("cannot truncate MQTT journal " + path_ + ": " + ErrnoText(errno));
    }
    return {};
  }
  Status Replace(const std::string& content) override {
    if (Status replaced =
            ReplaceFile(path_, content.data(), content.size(), /*durable=*/true, "MQTT journal");
        !replaced) {
      return replaced;
    }
    Close();  // the old file's descriptor; the new file is opened when used
    return {};
  }
  Status Sync() override {
    if (fd_ >= 0 && fdatasync(fd_) != 0) {
      return Fail("cannot flush MQTT journal " + path_ + ": " + ErrnoText(errno));
    }
    return {};
  }

 private:
  Status Open() {
    if (fd_ >= 0) return {};
    fd_ = open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) return Fail("cannot open MQTT journal " + path_ + ": " + ErrnoText(errno));
    return {};
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  const std::string path_;
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<JournalFile> MakePosixJournalFile(const std::string& path) {
  return std::make_unique<PosixJournalFile>(path);
}

MessageJournal::MessageJournal(std::string path, std::size_t max_entries,
                               std::size_t max_memory_only, std::unique_ptr<JournalFile> file)
    : path_(std::move(path)),
      max_entries_(std::max<std::size_t>(max_entries, 1)),
      max_memory_only_(std::max<std::size_t>(max_memory_only, 1)),
      file_(file ? std::move(file) : MakePosixJournalFile(path_)) {
  MakeStateDirs(std::filesystem::path(path_).parent_path());
  Load();
}

MessageJournal::~MessageJournal() {
  std::lock_guard<std::mutex> lock(mutex_);
  SyncLocked();
}

void MessageJournal::Load() {
  std::string data;
  {
    const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno != ENOENT) {
      throw std::runtime_error("cannot read MQTT journal " + path_ + ": " + ErrnoText(errno));
    }
    if (fd >= 0) {
      char buf[65536];
      while (true) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          const int err = errno;
          close(fd);
          throw std::runtime_error("cannot read MQTT journal " + path_ + ": " + ErrnoText(err));
        }
        if (n == 0) break;
        data.append(buf, static_cast<std::size_t>(n));
      }
      close(fd);
    }
  }
  bool rewrite = false;
  if (!data.empty()) {
    if (data.size() < sizeof kMagic || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0) {
      if (data.size() < sizeof kMagic && std::memcmp(data.data(), kMagic, data.size()) == 0) {
        rewrite = true;  // a crash while the header was written
      } else {
        throw std::runtime_error("MQTT journal " + path_ +
                                 " is not a footfall journal; move it away to start afresh");
      }
    }
    std::size_t pos = sizeof kMagic;
    std::size_t skipped = 0;  // whole records whose CRC failed
    std::size_t skipped_bytes = 0;
    while (!rewrite && pos < data.size()) {
      const std::size_t left = data.size() - pos;
      bool ok = left >= kRecordHeader;
      std::uint32_t len = 0;
      if (ok) {
        len = GetU32(data.data() + pos);
        ok = len >= 1 && len <= kMaxBody && len <= left - kRecordHeader;
      }
      std::string body;
      if (ok) {
        body = data.substr(pos + kRecordHeader, len);
        if (Crc32(body) != GetU32(data.data() + pos + 4) &&
            pos + kRecordHeader + len < data.size()) {
          // A damaged record with a plausible length and records after it:
          // skip it, keep reading (a torn last record is cut off below).
          ++skipped;
          skipped_bytes += kRecordHeader + len;
          pos += kRecordHeader + len;
          continue;
        }
        ok = Crc32(body) == GetU32(data.data() + pos + 4);
      }
      if (ok) {
        const char type = body[0];
        if (type == 'M' && body.size() >= kMessageHeader) {
          JournalEntry e;
          e.id = GetU64(body.data() + 1);
          e.created_ms = static_cast<std::int64_t>(GetU64(body.data() + 9));
          e.qos = static_cast<unsigned char>(body[17]);
          e.retained = body[18] != 0;
          const std::uint32_t topic_len = GetU32(body.data() + 19);
          ok = topic_len <= body.size() - kMessageHeader && e.qos <= 2;
          if (ok) {
            e.topic = body.substr(kMessageHeader, topic_len);
            e.payload = body.substr(kMessageHeader + topic_len);
            next_id_ = std::max(next_id_, e.id + 1);
            live_bytes_ += kRecordHeader + body.size();
            slots_.push_back({std::move(e), false});
          }
        } else if ((type == 'A' || type == 'X' || type == 'D') && body.size() == 9) {
          const std::uint64_t v = GetU64(body.data() + 1);
          if (type == 'D') {
            dropped_total_ = v;
          } else {
            if (type == 'X') ++dropped_total_;
            const std::size_t i = FindIndex(v);
            if (i < slots_.size()) {
              live_bytes_ -= RecordSize(slots_[i].entry);
              slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(i));
            }
          }
        } else {
          ok = false;
        }
      }
      if (!ok) {
        open_note_ = "MQTT journal " + path_ + ": cut off " + std::to_string(left) +
                     " byte(s) of a torn or corrupt record at offset " + std::to_string(pos) +
                     " (an interrupted write)";
        data.resize(pos);
        rewrite = true;
        break;
      }
      pos += kRecordHeader + len;
    }
    if (skipped > 0) {
      corrupt_records_ = skipped;
      open_note_ = "MQTT journal " + path_ + ": skipped " + std::to_string(skipped) +
                   " corrupt record(s) (" + std::to_string(skipped_bytes) +
                   " bytes, CRC mismatch; a message among them is lost, an acknowledgement "
                   "among them sends its message again)" +
                   (open_note_.empty() ? "" : "; " + open_note_);
      rewrite = true;
    }
  }
  file_bytes_ = data.size();
  // A smaller bound than the journal was written with: drop the oldest.
  std::size_t excess = 0;
  while (slots_.size() > max_entries_) {
    live_bytes_ -= RecordSize(slots_.front().entry);
    slots_.pop_front();
    ++dropped_total_;
    ++excess;
  }
  if (excess > 0) {
    if (!open_note_.empty()) open_note_ += "; ";
    open_note_ += "MQTT journal " + path_ + ": dropped the " + std::to_string(excess) +
                  " oldest message(s) to fit max_buffered = " + std::to_string(max_entries_);
    rewrite = true;
  }
  if (data.empty() || rewrite) {
    // A fresh, well-formed file.
    if (Status written = Compact(); !written) throw std::runtime_error(written.error());
  } else if (access(path_.c_str(), W_OK) != 0) {
    throw std::runtime_error("cannot write MQTT journal " + path_ + ": " + ErrnoText(errno));
  }
}

bool MessageJournal::AppendRecord(const std::string& body) noexcept {
  try {
    const std::string rec = Frame(body);
    if (Status written = file_->Append(rec); !written) {
      failing_error_ = written.error();
      // A partial record would end every later replay at this point.
      if (Status cut = file_->TruncateTo(file_bytes_); !cut) {
        failing_error_ += "; " + cut.error();
        rewrite_due_ = true;
      }
      return false;
    }
    file_bytes_ += rec.size();
    dirty_ = true;
    return true;
  } catch (const std::exception& e) {  // out of memory
    failing_error_ = "cannot append to MQTT journal " + path_ + ": " + e.what();
    return false;
  }
}

bool MessageJournal::WriteRecord(const std::string& body) noexcept {
  if (failing_) return false;
  if (AppendRecord(body)) return true;
  failing_ = true;
  return false;
}

void MessageJournal::RecordGone(char type, std::uint64_t id) {
  const std::string body = IdBody(type, id);
  if (!WriteRecord(body)) owed_.push_back(body);
}

void MessageJournal::Erase(std::size_t i) {
  const Slot& s = slots_[i];
  if (s.in_flight) --in_flight_;
  if (s.on_disk) {
    live_bytes_ -= RecordSize(s.entry);
  } else {
    --memory_only_;
  }
  slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(i));
}

std::size_t MessageJournal::FindIndex(std::uint64_t id) const {
  // Ids ascend: binary search.
  auto it = std::lower_bound(slots_.begin(), slots_.end(), id,
                             [](const Slot& s, std::uint64_t v) { return s.entry.id < v; });
  if (it == slots_.end() || it->entry.id != id) return slots_.size();
  return static_cast<std::size_t>(it - slots_.begin());
}

void MessageJournal::DropOne() {
  std::size_t victim = 0;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i].in_flight) {
      victim = i;
      break;
    }
  }
  const std::uint64_t id = slots_[victim].entry.id;
  const bool on_disk = slots_[victim].on_disk;
  Erase(victim);
  ++dropped_total_;
  // One held in memory only needs no record: the 'D' written when the
  // journal catches up carries the count.
  if (on_disk) RecordGone('X', id);
}

void MessageJournal::DropOldestMemoryOnly() {
  std::size_t victim = slots_.size();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].on_disk) continue;
    if (victim == slots_.size()) victim = i;  // the oldest, if all are in flight
    if (!slots_[i].in_flight) {
      victim = i;
      break;
    }
  }
  if (victim == slots_.size()) return;
  Erase(victim);
  ++memory_dropped_;
}

std::uint64_t MessageJournal::Append(const std::string& topic, std::string payload, int qos,
                                     bool retained, std::int64_t created_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (slots_.size() >= max_entries_) DropOne();
  JournalEntry e;
  e.id = next_id_++;
  e.topic = topic;
  e.payload = std::move(payload);
  e.qos = qos;
  e.retained = retained;
  e.created_ms = created_ms >= 0 ? created_ms
                                 : std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  const std::uint64_t id = e.id;
  const bool written = WriteRecord(MessageBody(e));
  if (written) live_bytes_ += RecordSize(e);
  slots_.push_back({std::move(e), false, written});
  if (!written) {
    ++memory_only_;
    while (memory_only_ > max_memory_only_) DropOldestMemoryOnly();
  }
  return id;
}

bool MessageJournal::Ack(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::size_t i = FindIndex(id);
  if (i >= slots_.size()) return false;
  const bool on_disk = slots_[i].on_disk;
  Erase(i);
  if (on_disk) RecordGone('A', id);
  return true;
}

std::vector<JournalEntry> MessageJournal::TakeForSending(std::size_t max_in_flight) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<JournalEntry> out;
  for (Slot& s : slots_) {
    if (in_flight_ >= max_in_flight) break;
    if (s.in_flight) continue;
    s.in_flight = true;
    ++in_flight_;
    out.push_back(s.entry);
  }
  return out;
}

void MessageJournal::Requeue(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::size_t i = FindIndex(id);
  if (i < slots_.size() && slots_[i].in_flight) {
    slots_[i].in_flight = false;
    --in_flight_;
  }
}

void MessageJournal::RequeueAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (Slot& s : slots_) s.in_flight = false;
  in_flight_ = 0;
}

Status MessageJournal::MaybeCompact() {
  std::lock_guard<std::mutex> lock(mutex_);
  // Not while failing: a rewrite of the whole file would fail the same way.
  if (failing_) return Status::Ok();
  if (file_bytes_ > kCompactMinBytes && file_bytes_ - sizeof kMagic > 2 * live_bytes_) {
    return Compact();
  }
  return Status::Ok();
}

Status MessageJournal::Compact() {
  std::string out(kMagic, sizeof kMagic);
  out += Frame(IdBody('D', dropped_total_));
  std::size_t live = 0;
  for (const Slot& s : slots_) {
    out += Frame(MessageBody(s.entry));
    live += RecordSize(s.entry);
  }
  // On failure the old file is kept: nothing is lost.
  if (Status replaced = file_->Replace(out); !replaced) return replaced;
  // Everything the journal holds is in the new file.
  for (Slot& s : slots_) s.on_disk = true;
  memory_only_ = 0;
  owed_.clear();
  failing_ = false;
  rewrite_due_ = false;
  failing_error_.clear();
  live_bytes_ = live;
  file_bytes_ = out.size();
  dirty_ = false;
  last_sync_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

bool MessageJournal::CatchUp() {
  std::lock_guard<std::mutex> lock(mutex_);
  return CatchUpLocked();
}

bool MessageJournal::CatchUpLocked() {
  if (!failing_) return true;
  if (!rewrite_due_) {
    // The file holds whole records up to file_bytes_ (a failed write was cut
    // off); again, in case the cut itself failed then.
    if (Status cut = file_->TruncateTo(file_bytes_); !cut) {
      failing_error_ = cut.error();
      rewrite_due_ = true;
    }
  }
  if (rewrite_due_) {
    if (Status rewritten = Compact(); !rewritten) {
      failing_error_ = rewritten.error();
      return false;
    }
    return true;
  }
  while (!owed_.empty()) {
    if (!AppendRecord(owed_.front())) return false;
    owed_.pop_front();
  }
  // The messages held in memory are newer than every one on disk: appended
  // oldest first, the file's ids still ascend.
  for (Slot& s : slots_) {
    if (s.on_disk) continue;
    if (!AppendRecord(MessageBody(s.entry))) return false;
    s.on_disk = true;
    --memory_only_;
    live_bytes_ += RecordSize(s.entry);
  }
  // Drops of messages that were never on disk: the count.
  if (!AppendRecord(IdBody('D', dropped_total_))) return false;
  failing_ = false;
  failing_error_.clear();
  return true;
}

Status MessageJournal::Tidy() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!CatchUpLocked()) return Status::Ok();  // failing(): not written, and said so there
  const std::size_t tidy_size = sizeof kMagic + kRecordHeader + 9 + live_bytes_;
  if (file_bytes_ > tidy_size) return Compact();
  return Status::Ok();
}

void MessageJournal::SyncLocked() {
  if (!dirty_) return;
  if (Status synced = file_->Sync(); !synced) {
    // What was written may not be on disk: only a rewrite (fsync'd) is sure.
    failing_error_ = synced.error();
    failing_ = true;
    rewrite_due_ = true;
  }
  dirty_ = false;
  last_sync_ = std::chrono::steady_clock::now();
}

void MessageJournal::Sync() {
  std::lock_guard<std::mutex> lock(mutex_);
  SyncLocked();
}

void MessageJournal::MaybeSync() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (dirty_ && std::chrono::steady_clock::now() - last_sync_ >= kSyncInterval) SyncLocked();
}

std::size_t MessageJournal::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return slots_.size();
}

std::size_t MessageJournal::in_flight() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_flight_;
}

std::uint64_t MessageJournal::dropped_total() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_total_;
}

bool MessageJournal::failing() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failing_;
}

std::string MessageJournal::failing_error() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failing_ ? failing_error_ : std::string();
}

std::size_t MessageJournal::memory_only() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return memory_only_;
}

std::uint64_t MessageJournal::memory_dropped_total() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return memory_dropped_;
}

}  // namespace footfall::transport
