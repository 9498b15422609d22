# The file-system seam and its fault-injecting test double. Included from
# core/util/CMakeLists.txt: include(${CMAKE_CURRENT_LIST_DIR}/env_sources.cmake)
target_sources(vigil_core PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/env.h ${CMAKE_CURRENT_LIST_DIR}/env.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fault_injection_env.h ${CMAKE_CURRENT_LIST_DIR}/fault_injection_env.cpp)
