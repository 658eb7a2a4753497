// Purpose: tests of the MQTT publisher's on-disk journal: messages survive a
// reopen until acknowledged, the bound drops the oldest and the count
// survives, a torn last record (a crash in mid-write) or trailing garbage is
// cut off without losing the records before it, compaction keeps exactly the
// live messages, and a foreign file is refused. A disk that is full (a file
// whose writes fail, tests/support/failing_journal_file.h): messages are held
// in memory up to a bound, the oldest beyond it dropped and counted, the file
// never left torn, and once it takes writes again it catches up in order.
#include "transport/message_journal.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/failing_journal_file.h"
#include "support/test_support.h"

namespace footfall::transport {
namespace {

using footfall::testing::DiskFaults;
using footfall::testing::FailingJournalFile;
using footfall::testing::ReadFile;
using footfall::testing::TempDir;
using footfall::testing::WriteFile;

std::vector<std::string> Payloads(MessageJournal& j) {
  std::vector<std::string> out;
  for (const auto& e : j.TakeForSending(1000000)) out.push_back(e.payload);
  j.RequeueAll();
  return out;
}

TEST(MessageJournalTest, UnacknowledgedMessagesSurviveAReopen) {
  TempDir dir;
  const std::string path = dir.File("state/sub/mqtt-journal");  // directories created
  std::uint64_t id2 = 0;
  {
    MessageJournal j(path, 100);
    EXPECT_EQ(j.size(), 0u);
    j.Append("a/counts", "m1", 1, false);
    id2 = j.Append("a/counts", "m2", 2, true);
    j.Append("a/counts", "m3", 0, false);
    const auto sent = j.TakeForSending(2);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].payload, "m1");
    EXPECT_EQ(j.in_flight(), 2u);
    EXPECT_TRUE(j.Ack(sent[0].id));
    EXPECT_FALSE(j.Ack(sent[0].id));  // twice: unknown the second time
    EXPECT_EQ(j.size(), 2u);
  }
  struct stat st {};
  ASSERT_EQ(stat(dir.File("state").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  MessageJournal j(path, 100);
  EXPECT_TRUE(j.open_note().empty()) << j.open_note();
  EXPECT_EQ(j.size(), 2u);
  EXPECT_EQ(j.in_flight(), 0u);  // nothing is in flight after a restart
  const auto all = j.TakeForSending(10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, id2);
  EXPECT_EQ(all[0].topic, "a/counts");
  EXPECT_EQ(all[0].payload, "m2");
  EXPECT_EQ(all[0].qos, 2);
  EXPECT_TRUE(all[0].retained);
  EXPECT_GT(all[0].created_ms, 1600000000000);
  EXPECT_EQ(all[1].payload, "m3");
  EXPECT_EQ(all[1].qos, 0);
  // New ids continue after the old ones.
  EXPECT_GT(j.Append("a/counts", "m4", 1, false), all[1].id);
  EXPECT_EQ(j.dropped_total(), 0u);
}

TEST(MessageJournalTest, BoundDropsTheOldestNotInFlightAndTheCountPersists) {
  TempDir dir;
  const std::string path = dir.File("mqtt-journal");
  {
    MessageJournal j(path, 3);
    j.Append("t", "m1", 1, false);
    j.Append("t", "m2", 1, false);
    ASSERT_EQ(j.TakeForSending(1).at(0).payload, "m1");  // m1 in flight
    j.Append("t", "m3", 1, false);
    j.Append("t", "m4", 1, false);  // full: m2 (oldest not in flight) goes
    EXPECT_EQ(j.dropped_total(), 1u);
    j.RequeueAll();
    EXPECT_EQ(Payloads(j), (std::vector<std::string>{"m1", "m3", "m4"}));
    for (int i = 5; i <= 9; ++i) j.Append("t", "m" + std::to_string(i), 1, false);
    EXPECT_EQ(j.dropped_total(), 6u);
    EXPECT_EQ(Payloads(j), (std::vector<std::string>{"m7", "m8", "m9"}));
  }
  {
    MessageJournal j(path, 3);
    EXPECT_EQ(j.dropped_total(), 6u);
    EXPECT_EQ(Payloads(j), (std::vector<std::string>{"m7", "m8", "m9"}));
  }
  // Reopened with a smaller bound: the oldest go, counted, and it is said.
  MessageJournal j(path, 1);
  EXPECT_EQ(Payloads(j), std::vector<std::string>{"m9"});
  EXPECT_EQ(j.dropped_total(), 8u);
  EXPECT_NE(j.open_note().find("dropped the 2 oldest"), std::string::npos) << j.open_note();
}

TEST(MessageJournalTest, TornLastRecordIsCutOffAndTheRestKept) {
  TempDir dir;
  const std::string path = dir.File("mqtt-journal");
  {
    MessageJournal j(path, 100);
    j.Append("t", "first", 1, false);
    j.Append("t", "second", 1, false);
  }
  const std::string whole = ReadFile(path);
  // Every cut inside the last record: the first message survives, alone.
  const std::size_t second_len = 8 + 23 + 1 + 6;  // header + body of "second"
  for (std::size_t cut = 1; cut < second_len; ++cut) {
    WriteFile(path, whole.substr(0, whole.size() - cut));
    MessageJournal j(path, 100);
    EXPECT_EQ(Payloads(j), std::vector<std::string>{"first"}) << "cut " << cut;
    EXPECT_NE(j.open_note().find("torn or corrupt"), std::string::npos);
  }
  // After the repair, appends land after the good record.
  {
    MessageJournal j(path, 100);
    EXPECT_TRUE(j.open_note().empty()) << j.open_note();
    j.Append("t", "third", 1, false);
  }
  {
    MessageJournal j(path, 100);
    EXPECT_EQ(Payloads(j), (std::vector<std::string>{"first", "third"}));
  }
  // A flipped byte in the middle of the last record fails its CRC.
  std::string flipped = ReadFile(path);
  flipped[flipped.size() - 2] ^= 0x40;
  WriteFile(path, flipped);
  MessageJournal j(path, 100);
  EXPECT_EQ(Payloads(j), std::vector<std::string>{"first"});
}

TEST(MessageJournalTest, ACorruptRecordInTheMiddleIsSkippedCountedAndTheRestKept) {
  TempDir dir;
  const std::string path = dir.File("mqtt-journal");
  {
    MessageJournal j(path, 100);
    j.Append("t", "first", 1, false);
    j.Append("t", "second", 1, false);
    j.Append("t", "third", 1, false);
  }
  std::string data = ReadFile(path);
  const std::size_t second = data.find("second");
  ASSERT_NE(second, std::string::npos);
  data[second + 2] ^= 0x20;  // "seCond": its CRC fails
  WriteFile(path, data);
  {
    MessageJournal j(path, 100);
    EXPECT_EQ(Payloads(j), (std::vector<std::string>{"first", "third"}));
    EXPECT_EQ(j.corrupt_records(), 1u);
    EXPECT_NE(j.open_note().find("skipped 1 corrupt record(s)"), std::string::npos)
        << j.open_note();
  }
  // Rewritten clean.
  MessageJournal j(path, 100);
  EXPECT_TRUE(j.open_note().empty()) << j.open_note();
  EXPECT_EQ(Payloads(j), (std::vector<std::string>{"first", "third"}));
}

TEST(MessageJournalTest, CompactionKeepsExactlyTheLiveMessages) {
  TempDir dir;
  const std::string path = dir.File("mqtt-journal");
  const std::string payload(1000, 'x');
  {
    MessageJournal j(path, 1000);
    j.Append("t", "keep-1", 1, false);
    for (int i = 0; i < 500; ++i) {
      const std::uint64_t id = j.Append("t", payload, 1, false);
      ASSERT_TRUE(j.Ack(id));
      const Status compacted = j.MaybeCompact();  // as the publisher does
      ASSERT_TRUE(compacted.ok()) << compacted.error();
    }
    j.Append("t", "keep-2", 1, false);
    // 500 KB were written; the file holds little more than the two live ones.
    EXPECT_LT(std::filesystem::file_size(path), 2 * MessageJournal::kCompactMinBytes);
  }
  MessageJournal j(path, 1000);
  EXPECT_EQ(Payloads(j), (std::vector<std::string>{"keep-1", "keep-2"}));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(MessageJournalTest, TidyLeavesOnlyTheLiveMessages) {
  TempDir dir;
  const std::string path = dir.File("mqtt-journal");
  MessageJournal j(path, 10);
  const std::uint64_t a = j.Append("t", "acked", 1, false);
  j.Append("t", "kept", 1, false);
  ASSERT_TRUE(j.Ack(a));
  const auto before = std::filesystem::file_size(path);
  EXPECT_TRUE(j.MaybeCompact().ok());  // a small file: left as it is
  EXPECT_EQ(std::filesystem::file_size(path), before);
  EXPECT_TRUE(j.Tidy().ok());
  // Magic, the dropped count, and one message record of 8 + 23 + 1 + 4 bytes.
  EXPECT_EQ(std::filesystem::file_size(path), 8u + 17u + 36u);
  EXPECT_LT(std::filesystem::file_size(path), before);
  EXPECT_TRUE(j.Tidy().ok());  // nothing to do
  EXPECT_EQ(std::filesystem::file_size(path), 61u);
  j.Append("t", "more", 1, false);  // appends still work after the rewrite
  MessageJournal reopened(path + "", 10);
  EXPECT_EQ(Payloads(reopened), (std::vector<std::string>{"kept", "more"}));
}

TEST(MessageJournalTest, ForeignFileIsRefusedAndEmptyFileAccepted) {
  TempDir dir;
  const std::string path = dir.File("mqtt-journal");
  WriteFile(path, "this is not a journal\n");
  EXPECT_THROW(MessageJournal(path, 10), std::runtime_error);
  WriteFile(path, "");
  MessageJournal j(path, 10);
  EXPECT_EQ(j.size(), 0u);
  j.Append("t", "m", 1, false);
  EXPECT_EQ(j.size(), 1u);
}

TEST(MessageJournalTest, UnusableStateDirectoryIsAStartupError) {
  // A path below a regular file: unusable for root as for anyone.
  TempDir dir;
  WriteFile(dir.File("file"), "x");
  EXPECT_THROW(MessageJournal(dir.File("file/mqtt-journal"), 10), std::runtime_error);
}

// What the file holds now, read by a second journal on a copy of it.
struct OnDisk {
  std::vector<std::string> payloads;
  std::uint64_t dropped_total = 0;
  std::string open_note;
};
OnDisk ReadBack(const std::string& path) {
  TempDir copy;
  std::filesystem::copy_file(path, copy.File("j"));
  MessageJournal j(copy.File("j"), 1000000);
  return {Payloads(j), j.dropped_total(), j.open_note()};
}

class DiskFullJournalTest : public ::testing::Test {
 protected:
  std::unique_ptr<MessageJournal> Open(std::size_t max_entries, std::size_t max_memory) {
    return std::make_unique<MessageJournal>(path_, max_entries, max_memory,
                                            std::make_unique<FailingJournalFile>(path_, faults_));
  }
  TempDir dir_;
  std::string path_ = dir_.File("mqtt-journal");
  std::shared_ptr<DiskFaults> faults_ = std::make_shared<DiskFaults>();
};

TEST_F(DiskFullJournalTest, MessagesAreHeldInMemoryAndWrittenInOrderOnceTheDiskTakesThem) {
  auto j = Open(100, 10);
  const std::uint64_t m1 = j->Append("t", "m1", 1, false);
  j->Append("t", "m2", 1, false);
  EXPECT_FALSE(j->failing());
  faults_->full = true;
  j->Append("t", "m3", 1, false);
  EXPECT_TRUE(j->failing());
  EXPECT_NE(j->failing_error().find("No space left on device"), std::string::npos)
      << j->failing_error();
  EXPECT_TRUE(j->MaybeCompact().ok()) << "a failing journal is failing(), not an error";
  j->Append("t", "m4", 1, false);
  j->Append("t", "m5", 1, false);
  EXPECT_EQ(faults_->appends_failed, 1) << "no write is tried until CatchUp";
  EXPECT_EQ(j->memory_only(), 3u);
  EXPECT_EQ(j->size(), 5u);
  EXPECT_TRUE(j->Ack(m1));  // on disk: its acknowledgement is owed
  // Every message is still there to be sent, oldest first.
  EXPECT_EQ(Payloads(*j), (std::vector<std::string>{"m2", "m3", "m4", "m5"}));
  // The half-written record was cut off: the file reads clean, as before m3.
  OnDisk before = ReadBack(path_);
  EXPECT_EQ(before.payloads, (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(before.open_note, "");
  // Still full: nothing changes, the file stays clean.
  EXPECT_FALSE(j->CatchUp());
  EXPECT_TRUE(j->failing());
  EXPECT_EQ(ReadBack(path_).payloads, (std::vector<std::string>{"m1", "m2"}));
  // Space again: the acknowledgement and m3..m5, in order.
  faults_->full = false;
  EXPECT_TRUE(j->CatchUp());
  EXPECT_FALSE(j->failing());
  EXPECT_EQ(j->failing_error(), "");
  EXPECT_EQ(j->memory_only(), 0u);
  EXPECT_EQ(j->memory_dropped_total(), 0u);
  OnDisk after = ReadBack(path_);
  EXPECT_EQ(after.payloads, (std::vector<std::string>{"m2", "m3", "m4", "m5"}));
  EXPECT_EQ(after.open_note, "");
  // Appends go straight to the file again.
  j->Append("t", "m6", 1, false);
  EXPECT_EQ(ReadBack(path_).payloads.back(), "m6");
}

TEST_F(DiskFullJournalTest, BeyondTheMemoryBoundTheOldestHeldInMemoryAreDroppedAndCounted) {
  auto j = Open(100, 3);
  j->Append("t", "m1", 1, false);  // on disk: never dropped for the memory bound
  faults_->full = true;
  for (int i = 2; i <= 7; ++i) j->Append("t", "m" + std::to_string(i), 1, false);
  EXPECT_EQ(j->memory_only(), 3u);
  EXPECT_EQ(j->memory_dropped_total(), 3u);  // m2, m3, m4
  EXPECT_EQ(j->dropped_total(), 0u) << "the journal's own bound was not reached";
  EXPECT_EQ(Payloads(*j), (std::vector<std::string>{"m1", "m5", "m6", "m7"}));
  // In flight (handed to the broker): the oldest not in flight goes first.
  ASSERT_EQ(j->TakeForSending(2).size(), 2u);  // m1, m5
  j->Append("t", "m8", 1, false);
  EXPECT_EQ(j->memory_dropped_total(), 4u);  // m6
  j->RequeueAll();
  EXPECT_EQ(Payloads(*j), (std::vector<std::string>{"m1", "m5", "m7", "m8"}));
  faults_->full = false;
  ASSERT_TRUE(j->CatchUp());
  EXPECT_EQ(ReadBack(path_).payloads, (std::vector<std::string>{"m1", "m5", "m7", "m8"}));
  EXPECT_EQ(j->memory_dropped_total(), 4u) << "the count stays for the run";
}

TEST_F(DiskFullJournalTest, TheJournalsOwnBoundWhileFailingIsCountedAndSurvivesTheCatchUp) {
  auto j = Open(3, 10);
  j->Append("t", "m1", 1, false);
  j->Append("t", "m2", 1, false);
  faults_->full = true;
  j->Append("t", "m3", 1, false);     // held in memory
  j->Append("t", "m4", 1, false);     // full: m1 (on disk) dropped, its 'X' owed
  j->Append("t", "m5", 1, false);     // m2 dropped
  j->Append("t", "m6", 1, false);     // m3 (in memory only) dropped
  EXPECT_EQ(j->dropped_total(), 3u);  // m1, m2, m3
  EXPECT_EQ(j->memory_dropped_total(), 0u);
  faults_->full = false;
  ASSERT_TRUE(j->CatchUp());
  const OnDisk d = ReadBack(path_);
  EXPECT_EQ(d.payloads, (std::vector<std::string>{"m4", "m5", "m6"}));
  EXPECT_EQ(d.dropped_total, 3u);
  EXPECT_EQ(d.open_note, "");
}

TEST_F(DiskFullJournalTest, AFailedCutOrFlushIsRepairedByARewrite) {
  auto j = Open(100, 10);
  const int created = faults_->rewrites;  // the new file's header
  j->Append("t", "m1", 1, false);
  // The write fails and so does cutting off its torn half.
  faults_->full = true;
  faults_->truncate_fails = true;
  j->Append("t", "m2", 1, false);
  EXPECT_TRUE(j->failing());
  EXPECT_NE(ReadBack(path_).open_note.find("torn or corrupt"), std::string::npos)
      << "the test's premise: the tail is torn";
  faults_->full = false;
  ASSERT_TRUE(j->CatchUp());  // the file rewritten whole
  EXPECT_EQ(faults_->rewrites, created + 1);
  OnDisk d = ReadBack(path_);
  EXPECT_EQ(d.payloads, (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(d.open_note, "");
  // A flush that fails: what was written may not be on disk, rewritten too.
  faults_->truncate_fails = false;
  faults_->sync_fails = true;
  j->Append("t", "m3", 1, false);
  j->Sync();
  EXPECT_TRUE(j->failing());
  faults_->sync_fails = false;
  ASSERT_TRUE(j->CatchUp());
  EXPECT_EQ(faults_->rewrites, created + 2);
  EXPECT_EQ(ReadBack(path_).payloads, (std::vector<std::string>{"m1", "m2", "m3"}));
}

TEST_F(DiskFullJournalTest, TidyAtShutdownCatchesUpFirst) {
  auto j = Open(100, 10);
  const std::uint64_t m1 = j->Append("t", "m1", 1, false);
  faults_->full = true;
  j->Append("t", "m2", 1, false);
  EXPECT_TRUE(j->Ack(m1));
  EXPECT_TRUE(j->Tidy().ok()) << "still full: failing(), not an error";
  EXPECT_TRUE(j->failing());
  EXPECT_EQ(ReadBack(path_).payloads, std::vector<std::string>{"m1"});
  faults_->full = false;
  const Status tidied = j->Tidy();
  EXPECT_TRUE(tidied.ok()) << tidied.error();
  EXPECT_FALSE(j->failing());
  EXPECT_EQ(ReadBack(path_).payloads, std::vector<std::string>{"m2"});
}

TEST_F(DiskFullJournalTest, ARewriteThatFailsIsReturnedAndLosesNothing) {
  auto j = Open(1000, 10);
  const std::string payload(1000, 'x');
  j->Append("t", "keep-1", 1, false);
  faults_->replace_fails = true;
  Status compacted;
  for (int i = 0; i < 200 && compacted.ok(); ++i) {
    ASSERT_TRUE(j->Ack(j->Append("t", payload, 1, false)));
    compacted = j->MaybeCompact();
  }
  ASSERT_FALSE(compacted.ok()) << "the file never outweighed its live records";
  EXPECT_NE(compacted.error().find("cannot write MQTT journal " + path_ + ".tmp"),
            std::string::npos)
      << compacted.error();
  EXPECT_FALSE(j->failing()) << "appends still work: the journal is not failing";
  j->Append("t", "keep-2", 1, false);
  EXPECT_EQ(ReadBack(path_).payloads, (std::vector<std::string>{"keep-1", "keep-2"}));
  const Status tidied = j->Tidy();
  EXPECT_FALSE(tidied.ok()) << "the shutdown rewrite fails the same way";
  // The disk takes rewrites again: the next call compacts.
  faults_->replace_fails = false;
  const auto before = std::filesystem::file_size(path_);
  compacted = j->MaybeCompact();
  EXPECT_TRUE(compacted.ok()) << compacted.error();
  EXPECT_LT(std::filesystem::file_size(path_), before);
  EXPECT_EQ(ReadBack(path_).payloads, (std::vector<std::string>{"keep-1", "keep-2"}));
}

}  // namespace
}  // namespace footfall::transport
