# The file-system seam and the fault-injecting Env. Included from
# tests/core/util/CMakeLists.txt: include(${CMAKE_CURRENT_LIST_DIR}/env_tests.cmake)
vigil_add_test(NAME tst_env SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_env.cpp)
vigil_add_test(NAME tst_fault_injection_env SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_fault_injection_env.cpp)
