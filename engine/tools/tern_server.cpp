// tern-server: a local OpenAI-compatible API (/v1/chat/completions, /v1/completions,
// /v1/models, /health) on the engine's ChatEngine. See engine/server/.
#include "engine/chat/chat_engine.h"
#include "engine/model/default_model.h"
#include "engine/error.h"
#include "engine/model/model.h"
#include "engine/server/server_options.h"
#include "engine/server/server_routes.h"
#include "engine/tools/tool_args.h"

#include <fmt/core.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <thread>

using namespace tern;

namespace {

const char* kUsage = R"(usage: tern-server [-m MODEL] [options]

Serves a model through an OpenAI-compatible HTTP API: POST /v1/chat/completions (streamed or
not), POST /v1/completions, GET /v1/models, GET /health.

  -m MODEL          model file (default: the built-in model)
  --host ADDR       address to listen on (default 127.0.0.1); any other than loopback needs --api-key
  --port N          port (default 8080; 0 = any free port, printed at start)
  -t THREADS        inference threads (default: all cores)
  -c CTX            context size in tokens (default: the model's, at most 4096)
  --kv TYPE         KV cache type: f32 (default, Tern's reference logits) or f16 (half the memory
                    and attention reads; keys and values rounded to half precision)
  --api-key KEY     require 'Authorization: Bearer KEY' on /v1 requests
  --cors ORIGIN     allow browser pages from ORIGIN (or *) to call the API (default: none)
  --max-tokens N    largest max_tokens a request may ask for, and the default (4096)
  --max-body BYTES  largest request body (1048576)
  --max-messages N  most messages in one chat request (512)
  --queue N         requests that may wait behind the running one; more get 429 (8)
  --timeout S       seconds a slow client may take per read or write (60)
  --version, --help
)";

server::ApiServer* g_server = nullptr;

extern "C" void on_stop_signal(int) {
    // httplib's stop() only flips a flag and shuts the listening socket down: safe enough here,
    // and it makes listen() return so the program ends through its destructors.
    if (g_server) g_server->stop();
}

int run(int argc, char** argv) {
    tools::Args a(argc, argv,
                  {"-m", "--host", "--port", "-t", "-c", "--kv", "--api-key", "--cors", "--max-tokens", "--max-body",
                   "--max-messages", "--queue", "--timeout"},
                  {"--help", "-h", "--version"});
    if (a.has("--help") || a.has("-h")) { std::fputs(kUsage, stdout); return 0; }
    if (a.has("--version")) { fmt::print("tern-server {}\n", TERN_VERSION); return 0; }
    if (!a.positional().empty()) throw Error("unexpected argument '" + a.positional()[0] + "' (see --help)");

    server::ServerOptions o;
    o.model_path = a.get_or("-m", "");
    if (o.model_path.empty()) o.model_path = default_model_path(argv[0]);
    if (o.model_path.empty()) throw Error("no model given and no built-in model installed; use -m MODEL.gguf");
    o.host = a.get_or("--host", o.host);
    o.port = (int)a.get_int("--port", o.port, 0, 65535);
    o.threads = (int)a.get_int("-t", 0, 1, 1024);
    o.n_ctx = (int32_t)a.get_int("-c", 0, 8, 1 << 20);
    o.kv_type = tools::kv_type_option(a);
    o.api_key = a.get_or("--api-key", "");
    o.cors_origin = a.get_or("--cors", "");
    o.max_tokens = (int)a.get_int("--max-tokens", o.max_tokens, 1, 1 << 20);
    o.max_body_bytes = (size_t)a.get_int("--max-body", (int64_t)o.max_body_bytes, 1024, 1ll << 30);
    o.max_messages = (size_t)a.get_int("--max-messages", (int64_t)o.max_messages, 1, 1 << 20);
    o.queue_size = (size_t)a.get_int("--queue", (int64_t)o.queue_size, 1, 1024);
    o.timeout_seconds = (int)a.get_int("--timeout", o.timeout_seconds, 1, 3600);

#ifdef SIGPIPE
    // A client that disconnects mid-stream must not kill the server: writes then fail with EPIPE.
    std::signal(SIGPIPE, SIG_IGN);
#endif
    server::ApiServer api(o);  // validates the options (host without key, bounds)
    const int port = api.bind();
    // Listening starts before the model is loaded, so clients get 503 (loading), not a refusal.
    g_server = &api;
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::thread http([&api] { api.listen(); });
    fmt::print("tern-server {} listening on http://{}:{}\n", TERN_VERSION,
               o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host, port);
    std::fflush(stdout);

    std::unique_ptr<Model> model;
    std::unique_ptr<ChatEngine> engine;
    try {
        LoadOptions lo;
        lo.n_threads = o.threads;
        model = Model::load(o.model_path, lo);
        ChatEngineOptions eo;
        eo.n_ctx = o.n_ctx;
        eo.kv_type = o.kv_type;
        engine = std::make_unique<ChatEngine>(*model, eo);
    } catch (...) {
        api.stop();
        http.join();
        throw;
    }
    const std::string id = server::model_id_from_path(o.model_path);
    fmt::print(stderr, "[loaded {} as '{}' ({}, {} layers) in {:.2f} s, {} threads, context {}, {} KV cache]\n",
               o.model_path, id, model->config().arch, model->config().n_layer, model->load_seconds(),
               model->n_threads(), engine->context_size(), kv_type_name(engine->kv_type()));
    api.set_ready(*engine, id, (int64_t)std::time(nullptr));
    fmt::print("ready\n");
    std::fflush(stdout);
    http.join();
    g_server = nullptr;
    fmt::print(stderr, "[stopped]\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return tern::tools::run_tool("tern-server", run, argc, argv); }
