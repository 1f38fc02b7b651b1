#pragma once
// tern-server's settings and the safety rules that go with them: where it listens, who may call
// it, and the bounds on what one request may ask for.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/model/kv_cache.h"

namespace tern::server {

struct ServerOptions {
    std::string model_path;             // "" : the built-in model (resolved by the tool)
    std::string host = "127.0.0.1";     // loopback unless asked otherwise (and then only with a key)
    int port = 8080;                    // 0: any free port (printed at start)
    int threads = 0;                    // 0: all cores
    int32_t n_ctx = 0;                  // 0: the model's context, at most 4096
    KvType kv_type = KvType::F32;       // the KV caches' element type (ChatEngineOptions::kv_type)
    std::string api_key;                // "" : no key asked for (loopback only)
    std::string cors_origin;            // "" : no CORS headers, so browsers on other origins are refused

    // Bounds on one request. The body bound keeps a client from making us buffer and parse
    // megabytes; the message bound keeps rendering cheap; max_tokens caps the reply length.
    size_t max_body_bytes = 1u << 20;   // 1 MiB
    size_t max_messages = 512;
    int max_tokens = 4096;              // the largest max_tokens a request may ask for (and the default)
    size_t queue_size = 8;              // requests waiting behind the running one; more get 429
    int timeout_seconds = 60;           // read/write timeout for slow clients
};

// True for "127.0.0.1" and the rest of 127/8, "::1" and "localhost".
bool is_loopback_host(const std::string& host);

// Throws tern::Error when the options are unsafe or inconsistent: a non-loopback host without
// an API key, a port out of range, zero bounds.
void validate(const ServerOptions& options);

// The model's id in the API: the file name without folders and without ".gguf".
std::string model_id_from_path(const std::string& path);

}  // namespace tern::server
