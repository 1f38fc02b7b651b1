#include "engine/server/server_options.h"

#include "engine/error.h"

#include <string_view>

namespace tern::server {

bool is_loopback_host(const std::string& host) {
    if (host == "localhost" || host == "::1" || host == "[::1]") return true;
    // 127.0.0.0/8, written as a dotted quad. Anything else (0.0.0.0, a LAN address, a name
    // that might resolve elsewhere) counts as exposed.
    if (host.rfind("127.", 0) != 0) return false;
    int parts = 0, digits = 0;
    for (char c : host) {
        if (c == '.') {
            if (digits == 0) return false;
            ++parts;
            digits = 0;
        } else if (c >= '0' && c <= '9' && digits < 3) {
            ++digits;
        } else {
            return false;
        }
    }
    return parts == 3 && digits > 0;
}

void validate(const ServerOptions& o) {
    if (o.host.empty()) throw Error("--host is empty");
    if (!is_loopback_host(o.host) && o.api_key.empty())
        throw Error("refusing to listen on '" + o.host +
                    "' without --api-key: anyone who can reach that address could use the model. "
                    "Give --api-key KEY, or keep the default --host 127.0.0.1");
    if (o.port < 0 || o.port > 65535) throw Error("--port must be from 0 to 65535");
    if (o.max_body_bytes == 0 || o.max_messages == 0 || o.max_tokens <= 0 || o.queue_size == 0 ||
        o.timeout_seconds <= 0)
        throw Error("request bounds must be positive");
    for (char c : o.api_key)
        if ((unsigned char)c <= ' ' || (unsigned char)c >= 0x7f)
            throw Error("--api-key may only hold printable ASCII without spaces (it travels in an HTTP header)");
    for (char c : o.cors_origin)
        if ((unsigned char)c < ' ' || (unsigned char)c >= 0x7f) throw Error("--cors ORIGIN must be printable ASCII");
}

std::string model_id_from_path(const std::string& path) {
    std::string_view name = path;
    const size_t slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    constexpr std::string_view kExt = ".gguf";
    if (name.size() > kExt.size() && name.substr(name.size() - kExt.size()) == kExt) name.remove_suffix(kExt.size());
    return std::string(name);
}

}  // namespace tern::server
