# Runs `brokersim ARGS` (words separated by '|') from the source tree and checks what it did:
#   EXIT            the exit status (required)
#   GOLDEN          a file standard output must equal, byte for byte
#   CONTAINS        a file of lines standard output must each contain
#   STDERR          a file holding the exact first line of standard error
#   OUTPUT          a file the command writes, and OUTPUT_CONTAINS a file of lines it must contain
string(REPLACE "|" ";" arguments "${ARGS}")
if(OUTPUT)
    file(REMOVE ${OUTPUT})
endif()
execute_process(
    COMMAND ${BROKERSIM} ${arguments}
    RESULT_VARIABLE status
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)

if(NOT status EQUAL EXIT)
    message(FATAL_ERROR "expected exit status ${EXIT}, got ${status}\nstdout:\n${out}\nstderr:\n${err}")
endif()

if(GOLDEN)
    file(READ ${GOLDEN} expected)
    if(NOT out STREQUAL expected)
        message(FATAL_ERROR "stdout differs from ${GOLDEN}\n--- expected\n${expected}\n--- actual\n${out}")
    endif()
endif()

# Each line of `lines_file` must occur in `text`. The file is walked line by line as text, not
# as a CMake list, so that ';' and '[' in expected output mean nothing special.
function(require_lines text lines_file what)
    file(READ ${lines_file} rest)
    while(NOT rest STREQUAL "")
        string(FIND "${rest}" "\n" end)
        if(end EQUAL -1)
            set(line "${rest}")
            set(rest "")
        else()
            string(SUBSTRING "${rest}" 0 ${end} line)
            math(EXPR next "${end} + 1")
            string(SUBSTRING "${rest}" ${next} -1 rest)
        endif()
        if(line STREQUAL "")
            continue()
        endif()
        string(FIND "${text}" "${line}" at)
        if(at EQUAL -1)
            message(FATAL_ERROR "${what} lacks the line\n  ${line}\n--- ${what}:\n${text}")
        endif()
    endwhile()
endfunction()

if(CONTAINS)
    require_lines("${out}" ${CONTAINS} "stdout")
endif()

if(STDERR)
    file(READ ${STDERR} expected)
    string(STRIP "${expected}" expected)
    string(REGEX REPLACE "\n.*" "" first_line "${err}")
    if(NOT first_line STREQUAL expected)
        message(FATAL_ERROR "stderr first line differs\n  expected: ${expected}\n  actual:   ${first_line}")
    endif()
endif()

if(OUTPUT)
    if(NOT EXISTS ${OUTPUT})
        message(FATAL_ERROR "${OUTPUT} was not written")
    endif()
    file(READ ${OUTPUT} written)
    require_lines("${written}" ${OUTPUT_CONTAINS} "${OUTPUT}")
endif()
