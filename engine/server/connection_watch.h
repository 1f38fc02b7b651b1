#pragma once
// Tells whether the client of a request being handled has closed its connection, so that a
// waiting handler can cancel the generation at once rather than at its next failed write (a
// non-streamed request never writes until the end; a stream whose job is still queued or
// prefilling has nothing to write either).
//
// cpp-httplib 0.11 does not hand handlers their socket, so it is found by its address pair: the
// (local, remote) address and port that httplib::Request records identify exactly one open TCP
// socket of this process. The socket stays open while the handler runs (httplib closes it after
// the handler returns), so the descriptor found cannot be reused under us.
#include <string>

namespace httplib {
struct Request;
}

namespace tern::server {

class ConnectionWatch {
public:
    explicit ConnectionWatch(const httplib::Request& request);

    // True once the peer has closed or reset the connection. Never blocks. False when the socket
    // could not be found (then only a failed write shows the client is gone).
    bool closed() const;
    bool found() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

}  // namespace tern::server
