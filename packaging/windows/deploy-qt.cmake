# Install-time step (Windows), included by an install(CODE) in packaging/Packaging.cmake:
# copies the Qt DLLs, plugins and QML modules next to tern.exe with windeployqt, so the
# installed folder (and the NSIS installer made from it) runs without Qt installed.
# In: TERN_WINDEPLOYQT, TERN_QML_DIR, TERN_QT_TOOLS (extra Qt executables, e.g. tern-models.exe).
set(_bin "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin")
if(NOT EXISTS "${_bin}/tern.exe")
  message(FATAL_ERROR "deploy-qt: ${_bin}/tern.exe is missing")
endif()
set(_targets "${_bin}/tern.exe")
foreach(_t IN LISTS TERN_QT_TOOLS)
  if(EXISTS "${_bin}/${_t}")
    list(APPEND _targets "${_bin}/${_t}")
  endif()
endforeach()
# --qmldir: scan our QML for imports so exactly the modules it uses are copied.
# --no-translations: the app is English only. --no-system-d3d-compiler: D3D is part of Windows.
execute_process(
  COMMAND "${TERN_WINDEPLOYQT}" --release --no-translations --no-system-d3d-compiler
          --qmldir "${TERN_QML_DIR}" ${_targets}
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "windeployqt failed (${_rc})")
endif()
