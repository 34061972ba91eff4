#pragma once
// Base64 (RFC 4648 §4, with '=' padding), for embedding pictures in self-contained HTML pages as data: URIs.
#include <string>
#include <string_view>

namespace oncotrack {

std::string base64_encode(std::string_view bytes);

}  // namespace oncotrack
