# Fails when a Catch2 test case would never run under ctest.
#
# tests/engine and tests/app build all their Catch2 cases into one executable and add one ctest
# entry per tag from a hand-written list ("engine.gguf" runs `tern-engine-tests [gguf]`). A case
# whose tags are all missing from that list (a new area tag, a typo, no tag at all) is then run
# by no entry, and nothing would say so. This script asks the executable itself which cases
# carry none of the listed tags, hidden ([.]) cases included, and fails if there is any.
#
#   cmake -DTEST_EXE=<catch2 executable> -DTAGS=tag1,tag2,... -P check_test_tags.cmake
#
# Tags that are not in the list but sit on a case that also has a listed tag are harmless (the
# case still runs); they are printed as a note, not an error.
cmake_minimum_required(VERSION 3.21)
if(NOT TEST_EXE OR NOT TAGS)
  message(FATAL_ERROR "usage: cmake -DTEST_EXE=<exe> -DTAGS=a,b,c -P check_test_tags.cmake")
endif()
string(REPLACE "," ";" tags "${TAGS}")

# Every tag the executable knows, from `--list-tags` ("  12  [gguf]" lines, then "N tags").
execute_process(COMMAND "${TEST_EXE}" --list-tags
                OUTPUT_VARIABLE listed ERROR_VARIABLE listed_err RESULT_VARIABLE rc)
if(NOT listed MATCHES "[0-9]+ tags?\n")
  message(FATAL_ERROR "${TEST_EXE} --list-tags did not run (result ${rc}):\n${listed}${listed_err}")
endif()
string(REGEX MATCHALL "\\[[^]\n]+\\]" known "${listed}")
set(not_listed "")
foreach(t IN LISTS known)
  string(REGEX REPLACE "^\\[(.*)\\]$" "\\1" t "${t}")
  if(NOT t IN_LIST tags AND NOT t STREQUAL ".")
    list(APPEND not_listed "[${t}]")
  endif()
endforeach()

# The cases that no listed tag selects. Catch2 v2 test specs: "~[a]~[b]" = neither a nor b;
# hidden cases only match a spec that names one of their tags, hence the second, "[.]" half.
set(none "")
foreach(t IN LISTS tags)
  string(APPEND none "~[${t}]")
endforeach()
execute_process(COMMAND "${TEST_EXE}" --list-test-names-only "${none},[.]${none}"
                OUTPUT_VARIABLE orphans ERROR_VARIABLE orphans_err RESULT_VARIABLE rc)
if(NOT rc MATCHES "^[0-9]+$")  # Catch2 returns the number of cases it listed
  message(FATAL_ERROR "${TEST_EXE} --list-test-names-only did not run (${rc}):\n${orphans_err}")
endif()
string(STRIP "${orphans}" orphans)

if(orphans)
  string(REPLACE "\n" "\n  " orphans "${orphans}")
  message(FATAL_ERROR
    "These test cases carry no tag in the ctest list (${TAGS}), so no ctest entry runs them:\n"
    "  ${orphans}\n"
    "Tags the executable knows that are not in the list: ${not_listed}\n"
    "Add the tag to the foreach() list in the CMakeLists.txt that registers ${TEST_EXE}, or give "
    "the cases a listed tag.")
endif()
list(LENGTH tags n)
message(STATUS "every test case carries one of the ${n} listed tags")
if(not_listed)
  message(STATUS "note: also used, always beside a listed tag: ${not_listed}")
endif()
