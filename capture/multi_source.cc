// Purpose: MultiSource (see multi_source.h). All sources run on the same Asio
// loop, so their callbacks never overlap and the sink needs no locking.
#include "capture/multi_source.h"

#include <utility>

namespace footfall::capture {

// Stamps each frame with its source's index on its way to the real sink.
class MultiSource::Tagger final : public FrameSink {
 public:
  Tagger(std::size_t index, FrameSink& sink) : index_(index), sink_(sink) {}
  void OnFrame(RawFrame& frame) override {
    frame.source_index = index_;
    sink_.OnFrame(frame);
  }
  void OnIdle(TimePoint now) override { sink_.OnIdle(now); }
  void OnEnd() override { sink_.OnEnd(); }
  void OnSourceError(const std::string& message) override { sink_.OnSourceError(message); }

 private:
  std::size_t index_;
  FrameSink& sink_;
};

MultiSource::MultiSource(std::vector<std::unique_ptr<Source>> sources)
    : sources_(std::move(sources)) {
  for (const auto& s : sources_) name_ += (name_.empty() ? "" : " + ") + s->name();
}

MultiSource::~MultiSource() { Stop(); }

void MultiSource::Start(FrameSink& sink) {
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    taggers_.push_back(std::make_unique<Tagger>(i, sink));
    sources_[i]->Start(*taggers_.back());
  }
}

void MultiSource::Stop() {
  for (auto& s : sources_) s->Stop();
}

SourceStats MultiSource::stats() const {
  SourceStats total;
  for (const auto& s : sources_) total += s->stats();
  return total;
}

std::string MultiSource::status() const {
  std::string out;
  for (const auto& s : sources_) out += (out.empty() ? "" : "; ") + s->status();
  return out;
}

}  // namespace footfall::capture
