#pragma once

#include "core/template/value.h"

// The template functions of Promtail's template and replace stages
// (clients/pkg/logentry/stages/template.go's extra functions): ToLower,
// ToUpper, Replace, Trim, TrimLeft, TrimRight, TrimPrefix, TrimSuffix,
// TrimSpace, Hash (SHA3-256 hex of salt+input), Sha2Hash (SHA-256 hex),
// regexReplaceAll (Go's $1/${name} expansion) and regexReplaceAllLiteral.
// Promtail also merges in the sprig library; those functions are not
// provided here (a template using one fails to parse with Go's
// `function "x" not defined`). Trim/TrimLeft/TrimRight take their cutset as
// bytes, which equals Go's rune set for ASCII cutsets. Thread-safe.
namespace vigil::logs::pipeline {

const gotmpl::FuncMap& promtailTemplateFunctions();

}  // namespace vigil::logs::pipeline
