// Purpose: several live sources as one (e.g. one radio on channel 1 and one on
// 6, or one on 2.4 GHz and one on 5 GHz): each runs on its own, their frames
// reach one sink tagged with the index of the source that heard them, and
// names, statuses and statistics are combined.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "capture/source.h"

namespace footfall::capture {

class MultiSource final : public Source {
 public:
  // `sources`: two or more, none finite.
  explicit MultiSource(std::vector<std::unique_ptr<Source>> sources);
  ~MultiSource() override;
  MultiSource(const MultiSource&) = delete;
  MultiSource& operator=(const MultiSource&) = delete;

  void Start(FrameSink& sink) override;
  void Stop() override;
  bool finite() const override { return false; }
  const std::string& name() const override { return name_; }  // "pcap:mon0 + pcap:mon1"
  SourceStats stats() const override;                         // summed
  std::string status() const override;                        // "...; ..."

 private:
  class Tagger;

  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<std::unique_ptr<Tagger>> taggers_;
  std::string name_;
};

}  // namespace footfall::capture
