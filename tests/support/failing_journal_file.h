// Purpose: a transport::JournalFile for tests that makes the MQTT journal's
// file operations fail on command, like a full disk: over the real file, an
// append writes only part of its bytes and then fails with "No space left on
// device" (the real tail is really torn, as a short write leaves it), a
// rewrite fails and leaves the old file; truncation, flushing and rewriting
// alone can be made to fail too. Counts the attempts.
#pragma once

#include <memory>
#include <string>

#include "transport/message_journal.h"

namespace footfall::testing {

// What a test switches, shared with the file the journal owns.
struct DiskFaults {
  bool full = false;            // appends and rewrites fail (No space left on device)
  bool truncate_fails = false;  // TruncateTo fails (EIO)
  bool sync_fails = false;      // Sync fails (EIO)
  bool replace_fails = false;   // Replace fails (EIO), appends still work
  int appends_failed = 0;
  int rewrites = 0;  // Replace calls that succeeded
};

class FailingJournalFile final : public transport::JournalFile {
 public:
  FailingJournalFile(const std::string& path, std::shared_ptr<DiskFaults> faults)
      : real_(transport::MakePosixJournalFile(path)), path_(path), faults_(std::move(faults)) {}

  Status Append(const std::string& bytes) override {
    if (faults_->full) {
      ++faults_->appends_failed;
      // A short write: part of the record reaches the file.
      if (bytes.size() > 1) (void)real_->Append(bytes.substr(0, bytes.size() / 2));
      return Fail("cannot append to MQTT journal " + path_ + ": No space left on device");
    }
    return real_->Append(bytes);
  }
  Status TruncateTo(std::size_t size) override {
    if (faults_->truncate_fails) {
      return Fail("cannot truncate MQTT journal " + path_ + ": Input/output error");
    }
    return real_->TruncateTo(size);
  }
  Status Replace(const std::string& content) override {
    if (faults_->full) {
      return Fail("cannot write MQTT journal " + path_ + ".tmp: No space left on device");
    }
    if (faults_->replace_fails) {
      return Fail("cannot write MQTT journal " + path_ + ".tmp: Input/output error");
    }
    Status replaced = real_->Replace(content);
    if (replaced) ++faults_->rewrites;
    return replaced;
  }
  Status Sync() override {
    if (faults_->sync_fails) {
      return Fail("cannot flush MQTT journal " + path_ + ": Input/output error");
    }
    return real_->Sync();
  }

 private:
  std::unique_ptr<transport::JournalFile> real_;
  std::string path_;
  std::shared_ptr<DiskFaults> faults_;
};

}  // namespace footfall::testing
