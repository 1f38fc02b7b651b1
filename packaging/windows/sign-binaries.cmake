# CPack pre-build script (CPACK_PRE_BUILD_SCRIPTS, Windows): signs Tern's own executables in
# the staging folder before NSIS packs them, when a certificate is given through the
# environment (CI secrets). Without TERN_SIGN_PFX nothing is signed and nothing fails: unsigned
# builds are the default. The installer itself is signed afterwards, by the workflow.
#   TERN_SIGN_PFX           path to the .pfx file
#   TERN_SIGN_PFX_PASSWORD  its password
#   TERN_SIGN_TIMESTAMP_URL RFC 3161 timestamp server (default http://timestamp.digicert.com)
if(NOT DEFINED ENV{TERN_SIGN_PFX} OR "$ENV{TERN_SIGN_PFX}" STREQUAL "")
  message(STATUS "tern: TERN_SIGN_PFX not set, executables stay unsigned")
  return()
endif()
find_program(SIGNTOOL signtool REQUIRED)
set(_ts "$ENV{TERN_SIGN_TIMESTAMP_URL}")
if(NOT _ts)
  set(_ts "http://timestamp.digicert.com")
endif()
file(GLOB_RECURSE _exes "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*/tern*.exe")
foreach(_exe IN LISTS _exes)
  execute_process(
    COMMAND "${SIGNTOOL}" sign /fd SHA256 /td SHA256 /tr "${_ts}"
            /f "$ENV{TERN_SIGN_PFX}" /p "$ENV{TERN_SIGN_PFX_PASSWORD}" "${_exe}"
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "signtool failed on ${_exe}")
  endif()
endforeach()
