#pragma once

#include <string_view>

namespace vigil::receive {

// Checks `password` against a bcrypt hash ("$2y$10$...", as Prometheus's web
// config and htpasswd write them) through libxcrypt's crypt_r. Constant time
// in the compared bytes. Thread-safe.
bool bcryptMatches(std::string_view password, std::string_view hash);

// True when `hash` looks like a bcrypt hash Vigil can check ($2a$, $2b$, $2y$).
bool isBcryptHash(std::string_view hash);

}  // namespace vigil::receive
