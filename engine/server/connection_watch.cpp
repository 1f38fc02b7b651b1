#include "engine/server/connection_watch.h"

#include <httplib.h>

#if defined(__linux__) || defined(__APPLE__)
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstdlib>
#include <cstring>
#define TERN_WATCH_SOCKETS 1
#endif

namespace tern::server {

#ifdef TERN_WATCH_SOCKETS
namespace {

// "127.0.0.1" / "::1" and the port of a socket address, in httplib's own notation.
bool address_of(const sockaddr_storage& ss, std::string& ip, int& port) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
        if (!inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf)) return false;
        port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
        if (!inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf)) return false;
        port = ntohs(a->sin6_port);
    } else {
        return false;
    }
    ip = buf;
    return true;
}

bool matches(int fd, const httplib::Request& req) {
    sockaddr_storage local{}, remote{};
    socklen_t ll = sizeof local, rl = sizeof remote;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &ll) != 0) return false;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &rl) != 0) return false;
    std::string lip, rip;
    int lport = 0, rport = 0;
    return address_of(local, lip, lport) && address_of(remote, rip, rport) && lport == req.local_port &&
           rport == req.remote_port && lip == req.local_addr && rip == req.remote_addr;
}

}  // namespace
#endif

ConnectionWatch::ConnectionWatch(const httplib::Request& req) {
#ifdef TERN_WATCH_SOCKETS
    if (req.remote_port <= 0 || req.local_port <= 0) return;
    // The process's open descriptors, from the kernel's list (cheap: a few dozen entries).
#ifdef __linux__
    const char* dir_path = "/proc/self/fd";
#else
    const char* dir_path = "/dev/fd";
#endif
    DIR* dir = opendir(dir_path);
    if (!dir) return;
    const int own = dirfd(dir);
    while (dirent* e = readdir(dir)) {
        char* end = nullptr;
        const long fd = std::strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end || fd < 0 || fd == own) continue;
        if (matches((int)fd, req)) {
            fd_ = (int)fd;
            break;
        }
    }
    closedir(dir);
#else
    (void)req;
#endif
}

bool ConnectionWatch::closed() const {
#ifdef TERN_WATCH_SOCKETS
    if (fd_ < 0) return false;
    pollfd p{};
    p.fd = fd_;
    p.events = POLLIN;
#ifdef POLLRDHUP
    p.events |= POLLRDHUP;
#endif
    if (poll(&p, 1, 0) <= 0) return false;
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) return true;
#ifdef POLLRDHUP
    if (p.revents & POLLRDHUP) return true;
#endif
    if (p.revents & POLLIN) {
        // Readable: either the peer's FIN (recv returns 0) or bytes of a next, pipelined
        // request, which we leave in place for httplib.
        char c;
        const ssize_t n = recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        return n == 0;
    }
    return false;
#else
    return false;
#endif
}

}  // namespace tern::server
