// Purpose: OpenSource: a file spec -> file replay, a live spec -> live capture
// that re-attaches when its interface comes back; OpenSources merges several
// live ones (under the rules of source_spec.h).
#include <string>

#include "capture/frame_parser.h"
#include "capture/multi_source.h"
#include "capture/pcap_util.h"
#include "capture/retrying_source.h"

namespace footfall::capture {

std::string DescribeLinkType(int link_type) {
  const char* name = pcap_datalink_val_to_name(link_type);
  return std::to_string(link_type) + " (" + (name != nullptr ? name : "unknown") + ")";
}

std::unique_ptr<Source> OpenSource(const SourceSpec& spec, const SourceOptions& options,
                                   boost::asio::io_context& io) {
  if (spec.kind == SourceSpec::Kind::kFile) return OpenFileSource(spec.target, options, io);
  RetryPolicy policy;
  policy.initial = options.retry_initial;
  policy.max = options.retry_max;
  policy.stats_interval = options.stats_interval;
  return std::make_unique<RetryingSource>(
      spec.ToString(),
      [iface = spec.target, options, &io] { return OpenLiveSource(iface, options, io); },
      MakeAsioTimeSource(io), policy);
}

namespace {

SourceSpec Parsed(const std::string& text) {
  Result<SourceSpec> spec = ParseSourceSpec(text);
  if (!spec) throw SourceError("source \"" + text + "\": " + spec.error());
  return *spec;
}

}  // namespace

std::unique_ptr<Source> OpenSource(const std::string& spec, const SourceOptions& options,
                                   boost::asio::io_context& io) {
  return OpenSource(Parsed(spec), options, io);
}

std::unique_ptr<Source> OpenSources(const std::vector<SourceSpec>& specs,
                                    const SourceOptions& options, boost::asio::io_context& io) {
  if (specs.empty()) throw SourceError("no capture source given");
  if (specs.size() == 1) return OpenSource(specs.front(), options, io);
  std::vector<SourceSpec> earlier;
  for (const SourceSpec& spec : specs) {
    if (Status fits = CanJoin(earlier, spec, specs.size()); !fits) {
      throw SourceError("sources: " + fits.error());
    }
    earlier.push_back(spec);
  }
  std::vector<std::unique_ptr<Source>> sources;
  for (const SourceSpec& spec : specs) sources.push_back(OpenSource(spec, options, io));
  return std::make_unique<MultiSource>(std::move(sources));
}

}  // namespace footfall::capture
