#pragma once

#include <string>
#include <string_view>

namespace vigil {

// Go's strconv.Quote: `s` in double quotes with \" \\ \a \b \f \n \r \t \v
// escaped, other control bytes and invalid UTF-8 as \xNN, valid UTF-8 kept.
// Prometheus, Alertmanager and Loki print names, values and errors this way
// (Go's %q), so every formatter that must match them uses this one.
std::string goQuote(std::string_view s);

}  // namespace vigil
