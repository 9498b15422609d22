#include "core/receive/bcrypt_password.h"

#include <crypt.h>

#include <cstring>
#include <memory>
#include <string>

namespace vigil::receive {

bool isBcryptHash(std::string_view hash) {
    return hash.size() == 60 && (hash.substr(0, 4) == "$2a$" || hash.substr(0, 4) == "$2b$" ||
                                 hash.substr(0, 4) == "$2y$");
}

bool bcryptMatches(std::string_view password, std::string_view hash) {
    if (!isBcryptHash(hash))
        return false;
    auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on the stack
    const std::string pw(password), setting(hash);
    const char* out = crypt_r(pw.c_str(), setting.c_str(), data.get());
    if (!out || std::strlen(out) != hash.size())
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < hash.size(); ++i)
        diff |= static_cast<unsigned char>(out[i] ^ hash[i]);
    return diff == 0;
}

}  // namespace vigil::receive
