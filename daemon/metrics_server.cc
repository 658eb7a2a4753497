// Purpose: the Prometheus endpoint (see metrics_server.h): rendering of the
// text format, and a small HTTP/1.1 server with Boost.Beast on the daemon's
// loop. Requests are GET /metrics only, headers capped at 8 KiB, bodies
// refused, at most kMaxConnections at once, each idle connection closed
// after kIdleTimeout: a scraper cannot make it grow or stall the pipeline.
// With a bearer token, a request without it gets 401 and nothing else; on a
// Unix socket (mode 0600) the file mode is the access control.
#include "daemon/metrics_server.h"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <list>
#include <optional>
#include <system_error>
#include <utility>

#include "hashing/wiping_allocator.h"

namespace footfall::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;

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
  for (const CounterRow& c : kRunCounters) {
    if (c.metric != nullptr) Sample(o, c.metric, "counter", c.help, s.counters.*c.field);
  }
  Sample(o, "footfall_pcap_dropped_total", "counter",
         "Frames dropped by the kernel or the interface before footfalld read them.",
         s.pcap_dropped);
  if (s.devices) {
    Sample(o, "footfall_devices", "gauge",
           "Distinct devices in the last published window (absent if it published them as null).",
           *s.devices);
  }
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

// The listener and the sessions of one endpoint, TCP or Unix-domain.
struct MetricsServer::State final : std::enable_shared_from_this<State> {
  State(asio::io_context& io, Render r, std::string t)
      : tcp_acceptor(io), unix_acceptor(io), retry(io), render(std::move(r)), token(std::move(t)) {}
  ~State() { hashing::Wipe(token.data(), token.size()); }

  template <typename Protocol>
  class Session;
  template <typename Protocol>
  void Accept(typename Protocol::acceptor& acceptor);

  // Whether the request may be answered: with a token, it must carry
  // "Authorization: Bearer <token>" (compared in constant time).
  template <typename Request>
  bool Authorized(const Request& req) const {
    if (token.empty()) return true;
    const beast::string_view got = req[http::field::authorization];
    constexpr beast::string_view kScheme = "Bearer ";
    if (got.size() != kScheme.size() + token.size() || got.substr(0, kScheme.size()) != kScheme) {
      return false;
    }
    return sodium_memcmp(got.data() + kScheme.size(), token.data(), token.size()) == 0;
  }

  tcp::acceptor tcp_acceptor;
  local::acceptor unix_acceptor;
  asio::steady_timer retry;  // after an accept error such as EMFILE
  Render render;
  std::string token;  // empty: no authentication (a 0600 Unix socket)
  bool open = true;
  std::list<std::weak_ptr<void>> sessions;
  std::function<void()> close_all;  // closes every live session
};

template <typename Protocol>
class MetricsServer::State::Session final : public std::enable_shared_from_this<Session<Protocol>> {
 public:
  Session(typename Protocol::socket socket, std::shared_ptr<State> state)
      : stream_(std::move(socket)), state_(std::move(state)) {}

  void Start() { Read(); }
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(Protocol::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
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
    if (!state_->Authorized(req)) {
      // Before anything else: without the token nothing is told, not even
      // which paths exist.
      response_.result(http::status::unauthorized);
      response_.set(http::field::www_authenticate, "Bearer realm=\"footfall\"");
      response_.set(http::field::content_type, "text/plain; charset=utf-8");
      response_.body() = "a bearer token is needed ([metrics] in docs/deploy.md)\n";
      response_.keep_alive(false);
    } else if (path != "/metrics") {
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
                      [self = this->shared_from_this()](beast::error_code wec, std::size_t) {
                        if (wec || !self->response_.keep_alive() || !self->state_->open) {
                          self->Close();
                          return;
                        }
                        self->Read();
                      });
  }

  beast::basic_stream<Protocol> stream_;
  std::shared_ptr<State> state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> response_;
};

template <typename Protocol>
void MetricsServer::State::Accept(typename Protocol::acceptor& acceptor) {
  // The handlers hold the state, so it outlives the server if it must.
  acceptor.async_accept([self = shared_from_this(), &acceptor](beast::error_code ec,
                                                               typename Protocol::socket socket) {
    if (!self->open) return;
    if (ec) {
      // E.g. out of file descriptors: try again shortly rather than spin.
      spdlog::warn("metrics endpoint: accept failed: {}", ec.message());
      self->retry.expires_after(std::chrono::milliseconds(200));
      self->retry.async_wait([self, &acceptor](beast::error_code tec) {
        if (!tec && self->open) self->Accept<Protocol>(acceptor);
      });
      return;
    }
    self->sessions.remove_if([](const std::weak_ptr<void>& w) { return w.expired(); });
    if (self->sessions.size() >= kMaxConnections) {
      beast::error_code ignored;
      socket.close(ignored);  // the scraper retries; the pipeline is not held up
    } else {
      auto session = std::make_shared<Session<Protocol>>(std::move(socket), self);
      self->sessions.push_back(session);
      session->Start();
    }
    self->Accept<Protocol>(acceptor);
  });
}

MetricsServer::MetricsServer(asio::io_context& io, const ListenAddress& where, Render render,
                             std::string token)
    : where_(where), state_(std::make_shared<State>(io, std::move(render), std::move(token))) {
  hashing::Wipe(token.data(), token.size());
  State& st = *state_;
  if (!where.unix_path.empty()) {
    // A stale socket of an earlier run is replaced; anything else is not.
    struct stat info {};
    if (lstat(where.unix_path.c_str(), &info) == 0) {
      if (!S_ISSOCK(info.st_mode)) {
        throw std::system_error(std::make_error_code(std::errc::file_exists),
                                where.unix_path + " exists and is not a socket");
      }
      unlink(where.unix_path.c_str());
    }
    st.unix_acceptor.open(local::endpoint().protocol());
    // Created 0600 from the start (no window in which others could connect).
    const mode_t old_mask = umask(0177);
    beast::error_code ec;
    st.unix_acceptor.bind(local::endpoint(where.unix_path), ec);
    umask(old_mask);
    if (ec) throw std::system_error(ec);
    chmod(where.unix_path.c_str(), 0600);
    st.unix_acceptor.listen(asio::socket_base::max_listen_connections);
    st.close_all = [state = state_.get()] {
      for (auto& weak : state->sessions) {
        if (auto s = std::static_pointer_cast<State::Session<local>>(weak.lock())) s->Close();
      }
    };
    st.Accept<local>(st.unix_acceptor);
    return;
  }
  const tcp::endpoint endpoint(asio::ip::make_address(where.address), where.port);
  st.tcp_acceptor.open(endpoint.protocol());
  st.tcp_acceptor.set_option(asio::socket_base::reuse_address(true));
  if (endpoint.address().is_v6()) st.tcp_acceptor.set_option(asio::ip::v6_only(true));
  st.tcp_acceptor.bind(endpoint);
  st.tcp_acceptor.listen(asio::socket_base::max_listen_connections);
  st.close_all = [state = state_.get()] {
    for (auto& weak : state->sessions) {
      if (auto s = std::static_pointer_cast<State::Session<tcp>>(weak.lock())) s->Close();
    }
  };
  st.Accept<tcp>(st.tcp_acceptor);
}

MetricsServer::~MetricsServer() {
  state_->open = false;
  state_->render = nullptr;
  beast::error_code ignored;
  state_->tcp_acceptor.close(ignored);
  state_->unix_acceptor.close(ignored);
  state_->retry.cancel();
  if (state_->close_all) state_->close_all();
  state_->close_all = nullptr;
  state_->sessions.clear();
  if (!where_.unix_path.empty()) unlink(where_.unix_path.c_str());
}

}  // namespace footfall::daemon
