# Compiler settings shared by every Vigil target: warnings, -Werror in CI, ccache.

find_program(VIGIL_CCACHE ccache)
if(VIGIL_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_C_COMPILER_LAUNCHER "${VIGIL_CCACHE}")
    set(CMAKE_CXX_COMPILER_LAUNCHER "${VIGIL_CCACHE}")
endif()

add_library(vigil_warnings INTERFACE)
target_compile_options(vigil_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
if(VIGIL_WERROR)
    target_compile_options(vigil_warnings INTERFACE -Werror)
endif()

# Sanitizers for the asan preset: -DVIGIL_SANITIZE=address,undefined
set(VIGIL_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list (asan preset)")
if(VIGIL_SANITIZE)
    add_compile_options(-fsanitize=${VIGIL_SANITIZE} -fno-omit-frame-pointer)
    add_link_options(-fsanitize=${VIGIL_SANITIZE})
endif()
