# Compiler settings shared by every Vigil target: warnings, -Werror in CI, ccache.

find_program(VIGIL_CCACHE ccache)
if(VIGIL_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    # Precompiled headers need these sloppiness settings to be cacheable; the
    # base directory lets every checkout share one cache.
    set(launcher "${CMAKE_COMMAND}" -E env
        "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
        "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}" "CCACHE_NOHASHDIR=true" "${VIGIL_CCACHE}")
    set(CMAKE_C_COMPILER_LAUNCHER ${launcher})
    set(CMAKE_CXX_COMPILER_LAUNCHER ${launcher})
endif()


add_library(vigil_warnings INTERFACE)
target_compile_options(vigil_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
# GCC 12 reports false positives from inlined std::string code at -O2
# (GCC bugs 105329, 105651 and 104165: "specified bound ... exceeds maximum object
# size" on plain string concatenation). They are compiler bugs, not findings.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(vigil_warnings INTERFACE -Wno-stringop-overflow -Wno-restrict -Wno-array-bounds)
endif()
if(VIGIL_WERROR)
    target_compile_options(vigil_warnings INTERFACE -Werror)
endif()

# Sanitizers for the asan preset: -DVIGIL_SANITIZE=address,undefined
set(VIGIL_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list (asan preset)")
if(VIGIL_SANITIZE)
    add_compile_options(-fsanitize=${VIGIL_SANITIZE} -fno-omit-frame-pointer)
    add_link_options(-fsanitize=${VIGIL_SANITIZE})
endif()
