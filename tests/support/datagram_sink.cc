// Purpose: the unix datagram receiver of the tests (see datagram_sink.h).
#include "support/datagram_sink.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "support/test_support.h"

namespace footfall::testing {

DatagramSink::DatagramSink(std::string path) : path_(std::move(path)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof addr.sun_path) {
    throw std::runtime_error("datagram socket path too long: " + path_);
  }
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    close(fd_);
    throw std::runtime_error("bind " + path_ + ": " + std::strerror(err));
  }
  reader_ = std::thread([this] {
    while (!done_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      std::lock_guard<std::mutex> lock(mu_);
      ReadWaitingLocked();
    }
  });
}

DatagramSink::~DatagramSink() {
  done_ = true;
  reader_.join();
  close(fd_);
  unlink(path_.c_str());
}

void DatagramSink::ReadWaitingLocked() const {
  char buf[65536];
  for (;;) {
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return;  // EAGAIN: nothing more waiting
    messages_.push_back({Clock::now(), std::string(buf, static_cast<std::size_t>(n))});
  }
}

std::vector<DatagramSink::Datagram> DatagramSink::Messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  ReadWaitingLocked();
  return messages_;
}

std::string DatagramSink::Text() const {
  std::string text;
  for (const Datagram& d : Messages()) text += d.text + "\n";
  return text;
}

std::vector<std::string> DatagramSink::Statuses() const {
  std::vector<std::string> out;
  for (const Datagram& d : Messages()) {
    for (std::size_t pos = 0; pos < d.text.size();) {
      std::size_t nl = d.text.find('\n', pos);
      if (nl == std::string::npos) nl = d.text.size();
      if (d.text.compare(pos, 7, "STATUS=") == 0)
        out.push_back(d.text.substr(pos + 7, nl - pos - 7));
      pos = nl + 1;
    }
  }
  return out;
}

std::vector<std::string> DatagramSink::TakeNew() {
  std::lock_guard<std::mutex> lock(mu_);
  ReadWaitingLocked();
  std::vector<std::string> out;
  for (; taken_ < messages_.size(); ++taken_) out.push_back(messages_[taken_].text);
  return out;
}

bool DatagramSink::WaitForText(const std::string& needle, std::chrono::milliseconds timeout) const {
  return Eventually(
      [&] {
        for (const Datagram& d : Messages()) {
          if (d.text.find(needle) != std::string::npos) return true;
        }
        return false;
      },
      timeout);
}

}  // namespace footfall::testing
