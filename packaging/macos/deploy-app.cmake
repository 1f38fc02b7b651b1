# Install-time step (macOS), included by an install(CODE) in packaging/Packaging.cmake.
# Makes Tern.app self-contained so the DMG holds just the app:
#   - the command-line tools move into Tern.app/Contents/MacOS (users can link them into
#     /usr/local/bin), so bin/ does not sit beside the app in the DMG;
#   - share/ (built-in model, catalog) moves to Contents/Resources/share, with a
#     Contents/share link, because the app and tools look for <exe dir>/../share/tern;
#   - macdeployqt copies the Qt frameworks, plugins and QML modules, and fixes the tools'
#     library paths too (-executable);
#   - signing: with TERN_CODESIGN_IDENTITY (a "Developer ID Application" identity, CI secret)
#     macdeployqt signs everything with the hardened runtime and a timestamp, as notarisation
#     requires; without it the bundle is signed ad hoc, which Apple silicon needs to run it
#     at all (macdeployqt's install_name_tool edits invalidate the linker's ad-hoc signatures).
# In: TERN_MACDEPLOYQT (may be empty), TERN_QML_DIR.
set(_root "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
set(_app "${_root}/Tern.app")
set(_macos "${_app}/Contents/MacOS")
if(NOT EXISTS "${_macos}/Tern")
  message(FATAL_ERROR "deploy-app: ${_macos}/Tern is missing")
endif()
file(GLOB _tools "${_root}/bin/*")
set(_exe_args "")
foreach(_t IN LISTS _tools)
  get_filename_component(_n "${_t}" NAME)
  file(RENAME "${_t}" "${_macos}/${_n}")
  list(APPEND _exe_args "-executable=${_macos}/${_n}")
endforeach()
file(REMOVE_RECURSE "${_root}/bin")
if(EXISTS "${_root}/share")
  file(MAKE_DIRECTORY "${_app}/Contents/Resources")
  file(REMOVE_RECURSE "${_app}/Contents/Resources/share")
  file(RENAME "${_root}/share" "${_app}/Contents/Resources/share")
  file(REMOVE "${_app}/Contents/share")
  file(CREATE_LINK "Resources/share" "${_app}/Contents/share" SYMBOLIC)
endif()
set(_sign_args "")
if(NOT "$ENV{TERN_CODESIGN_IDENTITY}" STREQUAL "")
  set(_sign_args "-codesign=$ENV{TERN_CODESIGN_IDENTITY}" -hardened-runtime -timestamp)
endif()
if(TERN_MACDEPLOYQT)
  execute_process(
    COMMAND "${TERN_MACDEPLOYQT}" "${_app}" "-qmldir=${TERN_QML_DIR}" ${_exe_args} -always-overwrite ${_sign_args}
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "macdeployqt failed (${_rc})")
  endif()
endif()
if("$ENV{TERN_CODESIGN_IDENTITY}" STREQUAL "")
  execute_process(COMMAND codesign --force --deep --sign - "${_app}" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "ad-hoc codesign of ${_app} failed")
  endif()
endif()
