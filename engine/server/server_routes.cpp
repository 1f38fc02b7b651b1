#include "engine/server/server_routes.h"

#include "engine/error.h"
#include "engine/server/chat_backend.h"
#include "engine/server/connection_watch.h"
#include "engine/server/inference_worker.h"
#include "engine/server/openai_request.h"
#include "engine/server/openai_response.h"

#include <httplib.h>

#include <chrono>
#include <ctime>

namespace tern::server {

using nlohmann::json;

namespace {

// How often a waiting handler looks at its client's connection: a closed connection cancels
// the generation within this time (plus one token).
constexpr std::chrono::milliseconds kPoll{20};

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(json_text(body), "application/json");
}

void send_error(httplib::Response& res, const ApiError& e) { send_json(res, e.status, error_json(e)); }

// Comparison whose time does not depend on where the strings differ, so the key cannot be
// guessed a byte at a time from response times.
bool same_secret(const std::string& a, const std::string& b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < a.size(); ++i) diff |= (unsigned char)(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
    return diff == 0 && !b.empty();
}

int64_t unix_now() { return (int64_t)std::time(nullptr); }

// The host part of a Host header: "localhost:8080" -> "localhost", "[::1]:8080" -> "::1".
std::string host_name(const std::string& header) {
    if (!header.empty() && header[0] == '[') {
        const size_t close = header.find(']');
        return close == std::string::npos ? header : header.substr(1, close - 1);
    }
    return header.substr(0, header.find(':'));
}

}  // namespace

ApiServer::ApiServer(ServerOptions options) : options_(std::move(options)), http_(std::make_unique<httplib::Server>()) {
    validate(options_);
    // Enough threads for every queued request, the running one and a few answers (health, 429)
    // on top; connections beyond that wait for a free thread.
    const size_t threads = options_.queue_size + 4;
    http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http_->set_payload_max_length(options_.max_body_bytes);
    http_->set_read_timeout(options_.timeout_seconds, 0);
    http_->set_write_timeout(options_.timeout_seconds, 0);
    http_->set_default_headers({{"Server", std::string("tern-server/") + TERN_VERSION}});
    // Streams are many small writes: with Nagle's algorithm each one after the first waits for
    // the client's delayed ACK (40 ms on Linux), which would add that much to the first token.
    http_->set_tcp_nodelay(true);
#ifndef _WIN32
    // httplib's default socket options set SO_REUSEPORT, with which a second server (another
    // tern-server, the app's) binds a port that is already being listened on and silently takes
    // part of its connections. SO_REUSEADDR alone still allows a restart while old connections
    // linger in TIME_WAIT, and makes a taken port an error.
    http_->set_socket_options([](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
    });
#endif
    install_routes();
}

ApiServer::~ApiServer() {
    stop();
    backend_.store(nullptr);
    own_worker_.reset();  // cancels and joins before the engine (owned by the caller) goes
}

int ApiServer::bind() {
    const int port = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                                        : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
    if (port <= 0)
        throw Error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                    " (address in use, or not an address of this machine?)");
    return port;
}

void ApiServer::listen() { http_->listen_after_bind(); }

bool ApiServer::listening() const { return http_->is_running(); }

void ApiServer::stop() {
    stopping_.store(true);
    if (http_->is_running()) http_->stop();
}

void ApiServer::set_ready(ChatEngine& engine, std::string model_id, int64_t created) {
    own_worker_ = std::make_unique<InferenceWorker>(engine, options_.queue_size, ServedModel{std::move(model_id), created});
    set_backend(*own_worker_);
}

void ApiServer::set_backend(ChatBackend& backend) { backend_.store(&backend, std::memory_order_release); }

bool ApiServer::host_allowed(const httplib::Request& req) const {
    // A web page can make a browser send requests to 127.0.0.1 through a DNS name it controls
    // (DNS rebinding) and read the answers as same-origin. On a loopback address we therefore
    // only answer requests addressed to a loopback name.
    if (!is_loopback_host(options_.host) || !req.has_header("Host")) return true;
    return is_loopback_host(host_name(req.get_header_value("Host")));
}

bool ApiServer::authorized(const httplib::Request& req) const {
    if (options_.api_key.empty()) return true;
    const std::string auth = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    return auth.compare(0, prefix.size(), prefix) == 0 && same_secret(auth.substr(prefix.size()), options_.api_key);
}

void ApiServer::install_routes() {
    http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        if (!host_allowed(req)) {
            send_error(res, ApiError(403, "requests must be addressed to localhost (Host header)", "", "host_not_allowed"));
            return httplib::Server::HandlerResponse::Handled;
        }
        // Preflights carry no credentials; /health stays open for monitoring.
        if (req.method != "OPTIONS" && req.path != "/health" && !authorized(req)) {
            send_error(res, ApiError(401, "Incorrect or missing API key: send 'Authorization: Bearer KEY'", "",
                                     "invalid_api_key"));
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    if (!options_.cors_origin.empty()) {
        http_->set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
            res.set_header("Access-Control-Allow-Origin", options_.cors_origin);
            if (options_.cors_origin != "*") res.set_header("Vary", "Origin");
        });
        http_->Options(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
            res.status = 204;
            res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
            res.set_header("Access-Control-Max-Age", "600");
        });
    }
    // Statuses httplib sets itself (404 for an unknown path, 413 for a body over the bound, 400
    // for a malformed request line) get OpenAI's error shape too. Our own errors already have a body.
    http_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty() || res.is_chunked_content_provider_ || res.content_length_ > 0) return;
        if (res.status == 404)
            send_error(res, ApiError(404, "unknown path " + req.method + " " + req.path, "", "unknown_url"));
        else if (res.status == 413)
            send_error(res, ApiError(413, "the request body is larger than the server's limit", "", "body_too_large"));
        else
            send_error(res, ApiError(res.status, "bad request", "", ""));
    });
    http_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
            if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        send_error(res, ApiError(500, what, "", "internal_error"));
    });

    http_->Get("/health", [this](const httplib::Request& req, httplib::Response& res) { health(req, res); });
    http_->Get("/v1/models", [this](const httplib::Request& req, httplib::Response& res) { models(req, res); });
    http_->Post("/v1/chat/completions",
                [this](const httplib::Request& req, httplib::Response& res) { generate(req, res, true); });
    http_->Post("/v1/completions",
                [this](const httplib::Request& req, httplib::Response& res) { generate(req, res, false); });
}

void ApiServer::health(const httplib::Request&, httplib::Response& res) {
    json j{{"version", TERN_VERSION}};
    ChatBackend* backend = backend_.load(std::memory_order_acquire);
    const std::optional<ServedModel> model = backend ? backend->served_model() : std::nullopt;
    if (!model) {
        j["status"] = backend ? backend->unavailable().code : "loading";
        send_json(res, 503, j);
        return;
    }
    const WorkerStats s = backend->stats();
    j["status"] = "ok";
    j["model"] = model->id;
    j["queued"] = s.queued;
    j["busy"] = s.busy;
    j["completed"] = s.completed;
    j["cancelled"] = s.cancelled;
    j["failed"] = s.failed;
    j["rejected"] = s.rejected;
    j["last_stop"] = s.last_stop;
    j["last_generated_tokens"] = s.last_generated_tokens;
    send_json(res, 200, j);
}

void ApiServer::models(const httplib::Request&, httplib::Response& res) {
    ChatBackend* backend = backend_.load(std::memory_order_acquire);
    const std::optional<ServedModel> model = backend ? backend->served_model() : std::nullopt;
    if (!model) {
        send_error(res, backend ? backend->unavailable() : ApiError(503, "the model is still loading", "", "loading"));
        return;
    }
    send_json(res, 200, models_json(model->id, model->created));
}

namespace {

// What a streamed response's content provider keeps between calls.
struct StreamState {
    std::shared_ptr<Job> job;
    std::shared_ptr<ConnectionWatch> watch;
    ResponseMeta meta;
    bool chat = true;
    bool include_usage = false;
    bool opened = false;
};

bool write(httplib::DataSink& sink, const std::string& text) { return sink.write(text.data(), text.size()); }

// One call writes what the job produced since the last call. Returning false ends the response
// (httplib then closes the connection); the releaser cancels the job in that case.
bool stream_step(StreamState& st, httplib::DataSink& sink) {
    if (!st.opened) {
        st.opened = true;
        if (st.chat) return write(sink, sse_event(chat_chunk_json(st.meta, {{"role", "assistant"}, {"content", ""}}, std::nullopt)));
    }
    const JobUpdate u = st.job->wait_update(kPoll);
    for (const std::string& piece : u.pieces) {
        const json chunk = st.chat ? chat_chunk_json(st.meta, {{"content", piece}}, std::nullopt)
                                   : completion_chunk_json(st.meta, piece, std::nullopt);
        if (!write(sink, sse_event(chunk))) return false;
    }
    if (!u.finished) {
        if (st.watch->closed()) return false;
        return true;
    }
    if (const auto& err = st.job->error()) {
        // Headers (200) are gone already: OpenAI's convention is an error object as an event.
        write(sink, sse_event(error_json(*err)));
    } else {
        const ChatResult& r = st.job->result();
        const auto finish = finish_reason(r.stop);
        if (!finish) return false;  // cancelled: the client is gone
        const json last = st.chat ? chat_chunk_json(st.meta, json::object(), finish)
                                  : completion_chunk_json(st.meta, "", finish);
        if (!write(sink, sse_event(last))) return false;
        if (st.include_usage &&
            !write(sink, sse_event(usage_chunk_json(st.meta, st.chat ? "chat.completion.chunk" : "text_completion", r.usage))))
            return false;
    }
    if (!write(sink, sse_done())) return false;
    sink.done();
    return true;
}

}  // namespace

void ApiServer::generate(const httplib::Request& req, httplib::Response& res, bool chat) {
    try {
        ChatBackend* backend = backend_.load(std::memory_order_acquire);
        // One look at the model for the whole request: the app may switch models meanwhile (its
        // backend then ends the job with a 503 of its own).
        const std::optional<ServedModel> model = backend ? backend->served_model() : std::nullopt;
        if (!model) throw backend ? backend->unavailable() : ApiError(503, "the model is still loading", "", "loading");
        const std::string& model_id = model->id;
        // Browsers can send text/plain POSTs to any address without a CORS preflight; asking for
        // JSON makes them ask first, and without --cors the answer is no.
        const std::string type = req.get_header_value("Content-Type");
        if (type.compare(0, 16, "application/json") != 0)
            throw ApiError(415, "send the body as JSON with 'Content-Type: application/json'", "", "unsupported_media_type");

        const RequestLimits limits{options_.max_messages, options_.max_tokens};
        JobInput input;
        GenerationRequest common;
        if (chat) {
            ChatRequest r = parse_chat_request(req.body, limits);
            input.messages = std::move(r.messages);
            common = std::move(r);
        } else {
            CompletionRequest r = parse_completion_request(req.body, limits);
            input.prompt = std::move(r.prompt);
            common = std::move(r);
        }
        input.chat = chat;
        input.settings = common.settings;
        if (common.model && *common.model != model_id && *common.model != model_id + ".gguf")
            throw ApiError(404, "The model '" + *common.model + "' does not exist; this server serves '" + model_id + "'",
                           "model", "model_not_found");

        auto job = std::make_shared<Job>(std::move(input));
        if (!backend->submit(job))
            throw ApiError(429, "the server is busy (" + std::to_string(options_.queue_size) +
                                    " requests waiting); retry later", "", "queue_full");
        auto watch = std::make_shared<ConnectionWatch>(req);
        const ResponseMeta meta{new_response_id(chat ? "chatcmpl" : "cmpl"), unix_now(), model_id};

        if (!common.stream) {
            for (;;) {
                const JobUpdate u = job->wait_update(kPoll);
                if (u.finished) break;
                // Then wait for the engine to stop, within a token.
                if (watch->closed() || stopping_.load()) job->cancel.cancel();
            }
            if (job->error()) throw *job->error();
            // Only a client that is gone or a server that is stopping cancels a job.
            if (job->result().stop == StopReason::Cancelled)
                throw ApiError(503, "the request was cancelled: the server is stopping", "", "server_stopping");
            send_json(res, 200, chat ? chat_completion_json(meta, job->result()) : completion_json(meta, job->result()));
            return;
        }

        auto st = std::make_shared<StreamState>();
        st->job = job;
        st->watch = watch;
        st->meta = meta;
        st->chat = chat;
        st->include_usage = common.include_usage;
        res.set_header("Cache-Control", "no-cache");
        res.set_chunked_content_provider(
            "text/event-stream", [st](size_t, httplib::DataSink& sink) { return stream_step(*st, sink); },
            // Runs when the response is over, also when writing failed or the server stopped:
            // whatever the reason, a job nobody reads any more must stop.
            [job](bool success) {
                if (!success) job->cancel.cancel();
            });
    } catch (const ApiError& e) {
        send_error(res, e);
    }
}

}  // namespace tern::server
