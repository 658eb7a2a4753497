// Purpose: the Prometheus endpoint (see metrics_server.h): rendering of the
// text format, and a small HTTP/1.1 server with Boost.Beast on the daemon's
// loop. Requests are GET /metrics only, headers capped at 8 KiB, bodies
// refused, at most kMaxConnections at once, each idle connection closed
// after kIdleTimeout: a scraper cannot make it grow or stall the pipeline.
#include "daemon/metrics_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <list>
#include <optional>
#include <utility>

namespace footfall::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t kMaxConnections = 8;
constexpr std::chrono::seconds kIdleTimeout{10};
constexpr std::uint32_t kHeaderLimit = 8 * 1024;

void Family(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void Sample(std::string& out, const char* name, const char* type, const char* help,
            std::uint64_t value) {
  Family(out, name, type, help);
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string RenderPrometheus(const MetricsSnapshot& s) {
  std::string o;
  o.reserve(2048);
  Sample(o, "footfall_frames_total", "counter", "Frames read from the capture source.", s.frames);
  Sample(o, "footfall_probe_requests_total", "counter", "Probe requests counted.",
         s.probe_requests);
  Sample(o, "footfall_malformed_total", "counter", "Frames skipped as malformed.", s.malformed);
  Sample(o, "footfall_bad_fcs_total", "counter", "Frames skipped for a bad frame check sequence.",
         s.bad_fcs);
  Sample(o, "footfall_pcap_dropped_total", "counter",
         "Frames dropped by the kernel or the interface before footfalld read them.",
         s.pcap_dropped);
  Sample(o, "footfall_windows_published_total", "counter",
         "Count windows handed to the publisher since footfalld started.", s.windows);
  Sample(o, "footfall_devices", "gauge", "Distinct devices seen so far in the current window.",
         s.devices);
  if (s.estimated_devices) {
    Sample(o, "footfall_estimated_devices", "gauge",
           "Estimated physical devices (randomized MACs grouped) in the last published window.",
           *s.estimated_devices);
  }
  if (s.visitors) {
    Sample(o, "footfall_visitors", "gauge",
           "Visitors present at the end of the last published window.", *s.visitors);
  }
  Sample(o, "footfall_mqtt_connected", "gauge", "1 while connected to the MQTT broker, else 0.",
         s.mqtt_connected ? 1 : 0);
  Sample(o, "footfall_mqtt_buffered_messages", "gauge",
         "Messages not yet acknowledged by the broker.", s.mqtt_buffered);
  Sample(o, "footfall_mqtt_dropped_messages_total", "counter",
         "Messages dropped because the offline buffer was full.", s.mqtt_dropped);
  Family(o, "footfall_key_age_seconds", "gauge",
         "Age of the current pseudonym key (absent before the first key).");
  if (s.key_age_seconds) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", *s.key_age_seconds);
    o += "footfall_key_age_seconds ";
    o += buf;
    o += '\n';
  }
  Family(o, "footfall_build_info", "gauge", "Version of footfalld; always 1.");
  o += "footfall_build_info{version=\"" + EscapeLabel(s.version) + "\"} 1\n";
  return o;
}

struct MetricsServer::State final : std::enable_shared_from_this<State> {
  explicit State(asio::io_context& io, Render r) : acceptor(io), retry(io), render(std::move(r)) {}

  class Session;
  void Accept();

  tcp::acceptor acceptor;
  asio::steady_timer retry;  // after an accept error such as EMFILE
  Render render;
  bool open = true;
  std::list<std::weak_ptr<Session>> sessions;
};

class MetricsServer::State::Session final : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<State> state)
      : stream_(std::move(socket)), state_(std::move(state)) {}

  void Start() { Read(); }
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec || !state_->open) {
      Close();
      return;
    }
    const auto& req = parser_->get();
    response_ = {};
    response_.version(req.version());
    response_.keep_alive(req.keep_alive());
    response_.set(http::field::server, "footfalld");
    const beast::string_view target = req.target();
    const beast::string_view path = target.substr(0, target.find('?'));
    if (path != "/metrics") {
      response_.result(http::status::not_found);
      response_.set(http::field::content_type, "text/plain; charset=utf-8");
      response_.body() = "not found; the metrics are at /metrics\n";
    } else if (req.method() != http::verb::get) {
      response_.result(http::status::method_not_allowed);
      response_.set(http::field::allow, "GET");
      response_.set(http::field::content_type, "text/plain; charset=utf-8");
      response_.body() = "only GET\n";
    } else {
      response_.result(http::status::ok);
      response_.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response_.body() = state_->render();
    }
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code wec, std::size_t) {
                        if (wec || !self->response_.keep_alive() || !self->state_->open) {
                          self->Close();
                          return;
                        }
                        self->Read();
                      });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<State> state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> response_;
};

void MetricsServer::State::Accept() {
  // The handlers hold the state, so it outlives the server if it must.
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (!self->open) return;
    if (ec) {
      // E.g. out of file descriptors: try again shortly rather than spin.
      spdlog::warn("metrics endpoint: accept failed: {}", ec.message());
      self->retry.expires_after(std::chrono::milliseconds(200));
      self->retry.async_wait([self](beast::error_code tec) {
        if (!tec && self->open) self->Accept();
      });
      return;
    }
    self->sessions.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
    if (self->sessions.size() >= kMaxConnections) {
      beast::error_code ignored;
      socket.close(ignored);  // the scraper retries; the pipeline is not held up
    } else {
      auto session = std::make_shared<Session>(std::move(socket), self);
      self->sessions.push_back(session);
      session->Start();
    }
    self->Accept();
  });
}

MetricsServer::MetricsServer(asio::io_context& io, const ListenAddress& where, Render render)
    : where_(where), state_(std::make_shared<State>(io, std::move(render))) {
  const tcp::endpoint endpoint(asio::ip::make_address(where.address), where.port);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  if (endpoint.address().is_v6()) state_->acceptor.set_option(asio::ip::v6_only(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen(asio::socket_base::max_listen_connections);
  state_->Accept();
}

MetricsServer::~MetricsServer() {
  state_->open = false;
  state_->render = nullptr;
  beast::error_code ignored;
  state_->acceptor.close(ignored);
  state_->retry.cancel();
  for (auto& weak : state_->sessions) {
    if (auto s = weak.lock()) s->Close();
  }
  state_->sessions.clear();
}

}  // namespace footfall::daemon
