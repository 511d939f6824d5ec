# Runs `brokersim run --json SCENARIO` and compares the report with EXPECTED byte for byte.
execute_process(
    COMMAND ${BROKERSIM} run --json ${SCENARIO}
    RESULT_VARIABLE status
    OUTPUT_VARIABLE actual
    ERROR_VARIABLE err)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "brokersim exited with ${status}: ${err}")
endif()
file(READ ${EXPECTED} expected)
if(NOT actual STREQUAL expected)
    string(RANDOM LENGTH 8 tag)
    set(actual_file "${OUT_DIR}/actual-${tag}.json")
    file(WRITE ${actual_file} "${actual}")
    message(FATAL_ERROR "report differs from ${EXPECTED}\n  actual written to ${actual_file}\n"
                        "  compare with: diff ${EXPECTED} ${actual_file}")
endif()
