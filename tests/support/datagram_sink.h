// Purpose: the tests' receiver for what a process sends to a unix datagram
// socket: $NOTIFY_SOCKET (sd_notify's READY=1, STATUS=, WATCHDOG=1, ...) or
// the journal's native socket. It binds the path and records every datagram
// with its arrival time, from a reader thread, so that the cadence of
// keep-alives can be measured; every read also takes what is already
// waiting, so a datagram sent before the call is in its answer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace footfall::testing {

class DatagramSink final {
 public:
  using Clock = std::chrono::steady_clock;
  struct Datagram {
    Clock::time_point at;  // when it was read (the reader waits in poll)
    std::string text;
  };

  // Binds `path` (throws std::runtime_error if it cannot).
  explicit DatagramSink(std::string path);
  ~DatagramSink();  // stops the reader, closes the socket, removes the path
  DatagramSink(const DatagramSink&) = delete;
  DatagramSink& operator=(const DatagramSink&) = delete;

  const std::string& path() const { return path_; }

  // Every datagram so far, in arrival order.
  std::vector<Datagram> Messages() const;
  // Every datagram so far, each followed by '\n', as one text.
  std::string Text() const;
  // The values of the STATUS= lines of every datagram so far.
  std::vector<std::string> Statuses() const;
  // The texts of the datagrams that came since the last call.
  std::vector<std::string> TakeNew();
  // Waits until a datagram contains `needle`; returns whether one did.
  bool WaitForText(const std::string& needle, std::chrono::milliseconds timeout) const;

 private:
  void ReadWaitingLocked() const;  // under mu_: every datagram already there

  std::string path_;
  int fd_ = -1;
  std::atomic<bool> done_{false};
  mutable std::mutex mu_;
  mutable std::vector<Datagram> messages_;
  std::size_t taken_ = 0;
  std::thread reader_;
};

}  // namespace footfall::testing
