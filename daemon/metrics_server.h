// Purpose: footfalld's optional Prometheus endpoint ([metrics] listen, off by
// default; a bearer token or a 0600 Unix socket guards it). GET /metrics answers in the Prometheus
// text format (0.0.4) with the counters of the capture, the current window's devices, the broker
// state and the key age. It runs on the daemon's own Asio loop (Boost.Beast), so a scrape reads the
// same state the pipeline writes, without locks; the values are taken by a callback at each
// request.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "daemon/listen_address.h"
#include "daemon/run_counters.h"

namespace footfall::daemon {

// The systemd credential (LoadCredential=metrics-token:FILE) that holds the
// bearer token of a TCP metrics endpoint.
inline constexpr const char* kMetricsTokenCredential = "metrics-token";

// What a scrape reports.
struct MetricsSnapshot {
  std::string version;
  RunCounters counters;            // those with a metric in kRunCounters are shown
  std::uint64_t pcap_dropped = 0;  // kernel and interface drops (pcap_stats)
  // From the last published window as it was published (none before the
  // first, none for a figure published as null): distinct devices, estimated
  // devices, and visitors present at its end.
  std::optional<std::uint64_t> devices;
  std::optional<std::uint64_t> estimated_devices;
  std::optional<std::uint64_t> visitors;
  bool mqtt_connected = false;
  std::uint64_t mqtt_buffered = 0;        // messages not yet acknowledged
  std::uint64_t mqtt_dropped = 0;         // dropped because the offline buffer was full
  std::optional<double> key_age_seconds;  // none before the first key
};

// The Prometheus text exposition of `s`, "# HELP"/"# TYPE" lines included.
std::string RenderPrometheus(const MetricsSnapshot& s);

class MetricsServer final {
 public:
  using Render = std::function<std::string()>;

  // Binds and listens at once; throws std::system_error if `where` cannot be
  // bound (in use, not an address of this host). `render` is called on the
  // loop for each GET /metrics. A non-empty `token`: every request needs the
  // header "Authorization: Bearer <token>", or gets 401 Unauthorized. A Unix
  // socket (where.unix_path) is created mode 0600 and removed at the end.
  MetricsServer(boost::asio::io_context& io, const ListenAddress& where, Render render,
                std::string token = {});
  // Closes the listener and every open connection; `render` is not called after.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  const ListenAddress& address() const { return where_; }

 private:
  struct State;
  ListenAddress where_;
  std::shared_ptr<State> state_;
};

}  // namespace footfall::daemon
