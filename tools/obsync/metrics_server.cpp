// The Prometheus endpoint of `obsync run --metrics-port`.
#include "tools/obsync/metrics_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace obsync::cli {

bool MetricsServer::start(const std::string& address, unsigned port, std::function<std::string()> render,
                          std::string& error) {
  render_ = std::move(render);
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error = fmt::format("metrics: cannot create a socket: {}", std::strerror(errno));
    return false;
  }
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    error = fmt::format("metrics: '{}' is not an IPv4 address", address);
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 8) != 0) {
    error = fmt::format("metrics: cannot listen on {}:{}: {}; choose another --metrics-port", address, port,
                        std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
  return true;
}

void MetricsServer::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void MetricsServer::serve() {
  while (!stopping_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    timeval tv{2, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[2048];
    ssize_t n = ::recv(c, buf, sizeof buf - 1, 0);
    std::string request(buf, n > 0 ? static_cast<size_t>(n) : 0);
    std::string response;
    if (request.rfind("GET /metrics", 0) == 0) {
      std::string body;
      try {
        body = render_();
      } catch (...) {
        body = "# error rendering metrics\n";
      }
      response = fmt::format("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\n"
                             "Connection: close\r\n\r\n{}",
                             body.size(), body);
    } else {
      response = "HTTP/1.1 404 Not Found\r\nContent-Length: 20\r\nConnection: close\r\n\r\nonly /metrics here.\n";
    }
    for (size_t off = 0; off < response.size();) {
      ssize_t w = ::send(c, response.data() + off, response.size() - off, MSG_NOSIGNAL);
      if (w <= 0) break;
      off += static_cast<size_t>(w);
    }
    ::close(c);
  }
}

}  // namespace obsync::cli
