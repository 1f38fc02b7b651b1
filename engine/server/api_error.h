#pragma once
// An error the API reports to the client: HTTP status plus OpenAI's error object
// {"error": {"message", "type", "param", "code"}}.
#include <stdexcept>
#include <string>

namespace tern::server {

class ApiError : public std::runtime_error {
public:
    ApiError(int status, std::string message, std::string param = {}, std::string code = {})
        : std::runtime_error(message), status(status), param(std::move(param)), code(std::move(code)) {}

    // OpenAI's "type" for a status: invalid_request_error for 4xx, authentication_error for 401...
    const char* type() const;

    int status;
    std::string param;  // the request field at fault, "" when none
    std::string code;   // a machine-readable reason, "" when none
};

inline const char* ApiError::type() const {
    switch (status) {
        case 401: return "authentication_error";
        case 403: return "permission_error";
        case 404: return "not_found_error";
        case 429: return "rate_limit_error";
        case 503: return "service_unavailable";
        default: return status < 500 ? "invalid_request_error" : "server_error";
    }
}

}  // namespace tern::server
