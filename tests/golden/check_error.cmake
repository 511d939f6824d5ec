# Runs `brokersim run SCENARIO` and checks exit status 1 and the first stderr line.
execute_process(
    COMMAND ${BROKERSIM} run ${SCENARIO}
    RESULT_VARIABLE status
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
file(READ ${EXPECTED} expected)
string(STRIP "${expected}" expected)
string(REGEX REPLACE "\n.*" "" first_line "${err}")
if(NOT status EQUAL 1)
    message(FATAL_ERROR "expected exit status 1, got ${status}\nstderr: ${err}")
endif()
if(NOT first_line STREQUAL expected)
    message(FATAL_ERROR "stderr first line differs\n  expected: ${expected}\n  actual:   ${first_line}")
endif()
if(NOT out STREQUAL "")
    message(FATAL_ERROR "a failed run must print no report, got:\n${out}")
endif()
