#pragma once
// tern-server's HTTP side: the routes (/health, /v1/models, /v1/chat/completions,
// /v1/completions), API-key and Host checks, CORS, the bounds on requests, and the waiting or
// streaming of each job. Generation itself happens on a ChatBackend's thread: tern-server's own
// InferenceWorker (set_ready), or one the embedding program provides (set_backend).
#include "engine/server/server_options.h"

#include <atomic>
#include <optional>
#include <cstdint>
#include <memory>
#include <string>

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace tern {
class ChatEngine;
}

namespace tern::server {

class ChatBackend;
class InferenceWorker;

class ApiServer {
public:
    explicit ApiServer(ServerOptions options);
    ~ApiServer();

    // Binds the listening socket; returns the port (the one picked when options.port is 0).
    // Throws tern::Error when the address cannot be bound.
    int bind();
    // Serves until stop(). Until set_ready() or set_backend(), /health and /v1 requests get 503
    // (loading). Not restartable: a stopped server is destroyed and a new one made.
    void listen();
    void stop();
    // True once listen() has started serving. stop() before then is lost (httplib ignores it), so
    // a program that may stop at once waits for this after starting listen() on its thread.
    bool listening() const;

    // The model is loaded: start taking jobs on a thread of the server's own. `engine` must
    // outlive this server.
    void set_ready(ChatEngine& engine, std::string model_id, int64_t created);
    // Or take jobs to `backend` (it must outlive this server), which also says which model is
    // served, if any. Call set_ready() or set_backend() once.
    void set_backend(ChatBackend& backend);

private:
    void install_routes();
    bool host_allowed(const httplib::Request& req) const;
    bool authorized(const httplib::Request& req) const;
    void health(const httplib::Request& req, httplib::Response& res);
    void models(const httplib::Request& req, httplib::Response& res);
    void generate(const httplib::Request& req, httplib::Response& res, bool chat);

    ServerOptions options_;
    std::unique_ptr<httplib::Server> http_;
    std::unique_ptr<InferenceWorker> own_worker_;  // set_ready()'s backend
    std::atomic<ChatBackend*> backend_{nullptr};   // null: not ready (503)
    // Set by stop() (also from a signal handler): running handlers cancel their jobs, since
    // httplib waits for every handler to return before listen() does.
    std::atomic<bool> stopping_{false};
};

}  // namespace tern::server
