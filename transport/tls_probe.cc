// Purpose: one TLS handshake with the broker to explain a failure (see
// tls_probe.h).
#include "transport/tls_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace footfall::transport {

namespace {

std::string OpenSslError() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// A connected TCP socket, or -1 with `why` set.
int Connect(const std::string& host, const std::string& port, std::chrono::milliseconds timeout,
            std::string& why) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    why = "cannot resolve " + host + ": " + gai_strerror(rc);
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, &freeaddrinfo);
  why = "no address for " + host;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = poll(&p, 1, static_cast<int>(timeout.count())) == 1 ? 0 : -1;
      int err = ETIMEDOUT;
      socklen_t len = sizeof err;
      if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        rc = 0;
      } else {
        rc = -1;
        errno = err;
      }
    }
    if (rc == 0) {
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      timeval tv{static_cast<time_t>(timeout.count() / 1000),
                 static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      return fd;
    }
    why = "cannot connect to " + host + ":" + port + ": " + std::strerror(errno);
    close(fd);
  }
  return -1;
}

}  // namespace

Status ProbeTls(const TlsProbeOptions& o) {
  const std::string& host = o.broker.host;
  const std::string port = std::to_string(o.broker.port);
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        &SSL_CTX_free);
  if (!ctx) return Fail(OpenSslError());
  ERR_clear_error();
  const bool cas_loaded =
      o.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx.get()) == 1
                        : SSL_CTX_load_verify_locations(ctx.get(), o.ca_file.c_str(), nullptr) == 1;
  if (!cas_loaded) return Fail("cannot load the CA certificates: " + OpenSslError());
  if (!o.cert_file.empty()) {
    const std::string& key = o.key_file.empty() ? o.cert_file : o.key_file;
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), o.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1) {
      return Fail("cannot load the client certificate or key: " + OpenSslError());
    }
  }
  SSL_CTX_set_verify(ctx.get(), o.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);

  std::string why;
  const int fd = Connect(host, port, o.timeout, why);
  if (fd < 0) return Fail(why);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), &SSL_free);
  if (!ssl) {
    close(fd);
    return Fail(OpenSslError());
  }
  SSL_set_fd(ssl.get(), fd);
  in6_addr ip{};
  const bool is_ip =
      inet_pton(AF_INET, host.c_str(), &ip) == 1 || inet_pton(AF_INET6, host.c_str(), &ip) == 1;
  if (!is_ip) SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  if (o.verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    }
  }
  ERR_clear_error();
  Status result;
  if (SSL_connect(ssl.get()) != 1) {
    const long verify = SSL_get_verify_result(ssl.get());
    result = Fail(verify != X509_V_OK ? std::string("certificate verify failed: ") +
                                            X509_verify_cert_error_string(verify)
                                      : OpenSslError());
  } else {
    SSL_shutdown(ssl.get());
  }
  close(fd);
  return result;
}

}  // namespace footfall::transport
