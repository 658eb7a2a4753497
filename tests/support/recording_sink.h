// Purpose: the FrameSink of the capture tests (header only): records what a
// source delivers (each frame's time, captured length, source index and link
// type; idle ticks with the number of frames before each; errors; ends) and,
// given an io_context, stops it at the source's end or error.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "capture/source.h"

namespace footfall::testing {

class RecordingSink final : public capture::FrameSink {
 public:
  RecordingSink() = default;
  explicit RecordingSink(boost::asio::io_context& io) : io_(&io) {}

  void OnFrame(capture::RawFrame& frame) override {
    times.push_back(frame.time);
    sizes.push_back(frame.caplen);
    indexes.push_back(frame.source_index);
    link_type = frame.link_type;
  }
  void OnIdle(capture::TimePoint now) override { idles.push_back({now, times.size()}); }
  void OnEnd() override {
    ++ends;
    if (io_ != nullptr) io_->stop();
  }
  void OnSourceError(const std::string& message) override {
    errors.push_back(message);
    if (io_ != nullptr) io_->stop();
  }

  std::vector<capture::TimePoint> times;
  std::vector<std::size_t> sizes;                                 // captured lengths
  std::vector<std::size_t> indexes;                               // source indexes
  std::vector<std::pair<capture::TimePoint, std::size_t>> idles;  // time, frames before
  std::vector<std::string> errors;
  int link_type = 0;
  int ends = 0;

 private:
  boost::asio::io_context* io_ = nullptr;
};

}  // namespace footfall::testing
