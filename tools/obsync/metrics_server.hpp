// A minimal HTTP endpoint for Prometheus: GET /metrics answers the text exposition format that a
// callback renders; anything else is 404. One thread, one request at a time: scrapes are rare.
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace obsync::cli {

class MetricsServer {
 public:
  // Binds `address`:`port` (port 0: any free port). False with `error` when it cannot.
  bool start(const std::string& address, unsigned port, std::function<std::string()> render, std::string& error);
  void stop();
  ~MetricsServer() { stop(); }
  unsigned port() const { return port_; }

 private:
  void serve();
  int fd_ = -1;
  unsigned port_ = 0;
  std::atomic<bool> stopping_{false};
  std::function<std::string()> render_;
  std::thread thread_;
};

}  // namespace obsync::cli
