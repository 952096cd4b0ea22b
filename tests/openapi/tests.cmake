# Tests of the API's published description (included by tests/CMakeLists.txt):
#
# - openapi_responses: every response the integration tests receive, checked
#   against docs/openapi.yaml. The harness logs them (tests/support/
#   openapi_log.c) when DROPLINE_OPENAPI_LOG is set, which it is here for the
#   integration tests; the validator runs after all of them (fixtures), also
#   under ctest -j.
# - api_examples: the curl examples of docs/api.md, run in order against a
#   demo server, each answer compared with what the page prints.
# - a self-test of each of those two scripts, showing that they can fail.
#
# They need python3 with Debian's python3-jsonschema and python3-yaml, curl
# and jq (scripts/install-deps.sh installs them).

# Debian's python3 first: the one apt's python3-jsonschema and python3-yaml are for.
find_program(DROPLINE_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
find_program(DROPLINE_PYTHON3 python3 REQUIRED)

set(OPENAPI_DIR ${CMAKE_CURRENT_SOURCE_DIR}/openapi)
set(OPENAPI_SPEC ${PROJECT_SOURCE_DIR}/docs/openapi.yaml)
set(OPENAPI_LOG_DIR ${CMAKE_CURRENT_BINARY_DIR}/openapi-log)

# Integration tests that drive a test route table (echo handlers), not the
# API's: their responses are not the API's, so they are not logged.
set(OPENAPI_UNLOGGED_TESTS test_http)

add_test(NAME openapi_log_clean COMMAND ${CMAKE_COMMAND} -E rm -rf ${OPENAPI_LOG_DIR})
set_tests_properties(openapi_log_clean PROPERTIES FIXTURES_SETUP openapi_log)

file(GLOB OPENAPI_LOGGED_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_*.c)
foreach(src IN LISTS OPENAPI_LOGGED_SOURCES)
  get_filename_component(name ${src} NAME_WE)
  if(name IN_LIST OPENAPI_UNLOGGED_TESTS)
    continue()
  endif()
  set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT DROPLINE_OPENAPI_LOG=${OPENAPI_LOG_DIR})
  set_property(TEST ${name} APPEND PROPERTY FIXTURES_REQUIRED openapi_log)
  set_property(TEST ${name} APPEND PROPERTY FIXTURES_SETUP openapi_responses)
endforeach()

add_test(NAME openapi_responses
  COMMAND ${DROPLINE_PYTHON3} ${OPENAPI_DIR}/validate_responses.py
    --spec ${OPENAPI_SPEC} --require-responses 500 ${OPENAPI_LOG_DIR})
set_tests_properties(openapi_responses PROPERTIES
  FIXTURES_REQUIRED "openapi_log;openapi_responses" LABELS integration TIMEOUT 300)

add_test(NAME openapi_validator_selftest
  COMMAND ${DROPLINE_PYTHON3} ${OPENAPI_DIR}/test_validate_responses.py ${OPENAPI_SPEC})
set_tests_properties(openapi_validator_selftest PROPERTIES LABELS unit TIMEOUT 120)

add_test(NAME api_examples
  COMMAND ${DROPLINE_PYTHON3} ${OPENAPI_DIR}/api_examples.py
    --bin $<TARGET_FILE:dropline> --doc ${PROJECT_SOURCE_DIR}/docs/api.md)
set_tests_properties(api_examples PROPERTIES LABELS integration TIMEOUT 300)

add_test(NAME api_examples_selftest
  COMMAND ${DROPLINE_PYTHON3} ${OPENAPI_DIR}/test_api_examples.py --bin $<TARGET_FILE:dropline>)
set_tests_properties(api_examples_selftest PROPERTIES LABELS unit TIMEOUT 120)

# The documented answers the other integration tests do not reach (HEAD, 405
# on every path, 413, 415, 429, replays on a PUT, ...): their responses go
# to the same log, for openapi_responses.
add_executable(test_openapi_statuses ${OPENAPI_DIR}/test_openapi_statuses.c)
target_link_libraries(test_openapi_statuses PRIVATE dropline_test_support)
add_dependencies(test_openapi_statuses dropline)
add_test(NAME test_openapi_statuses COMMAND test_openapi_statuses)
set_tests_properties(test_openapi_statuses PROPERTIES
  ENVIRONMENT "DROPLINE_OPENAPI_LOG=${OPENAPI_LOG_DIR};CK_DEFAULT_TIMEOUT=60"
  FIXTURES_REQUIRED openapi_log FIXTURES_SETUP openapi_responses
  LABELS integration TIMEOUT 300)
