# vigil_add_test(NAME tst_x SOURCES a.cpp [LIBS ...] [LABELS ...] [TIMEOUT s] [ENVIRONMENT ...] [ARGS ...])
#
# One QtTest class per executable, registered with ctest. Tests run with the
# offscreen platform unless labelled `xvfb`, in which case they run under
# xvfb-run. VIGIL_SHARED_DIR and the build's binary dir are passed in the
# environment so tests can find ../shared and the vigil/vigilctl executables.
function(vigil_add_test)
    cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENVIRONMENT;ARGS" ${ARGN})
    add_executable(${T_NAME} ${T_SOURCES})
    target_link_libraries(${T_NAME} PRIVATE vigil_core Qt6::Test vigil_warnings ${T_LIBS})
    target_compile_definitions(${T_NAME} PRIVATE
        VIGIL_TEST_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}"
        VIGIL_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
    set(command $<TARGET_FILE:${T_NAME}>)
    if("xvfb" IN_LIST T_LABELS)
        set(command xvfb-run -a -s "-screen 0 1920x1080x24" $<TARGET_FILE:${T_NAME}>)
    endif()
    add_test(NAME ${T_NAME} COMMAND ${command} ${T_ARGS})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 120)
    endif()
    set(env
        "VIGIL_SHARED_DIR=${VIGIL_SHARED_DIR}"
        "VIGIL_BIN_DIR=${CMAKE_BINARY_DIR}/bin"
        "QT_QPA_PLATFORM=offscreen"
        "LC_ALL=C.UTF-8"
        ${T_ENVIRONMENT})
    if("xvfb" IN_LIST T_LABELS)
        list(REMOVE_ITEM env "QT_QPA_PLATFORM=offscreen")
        list(APPEND env "QT_QPA_PLATFORM=xcb")
    endif()
    set_tests_properties(${T_NAME} PROPERTIES
        TIMEOUT ${T_TIMEOUT}
        LABELS "${T_LABELS}"
        ENVIRONMENT "${env}")
endfunction()
