# Installers for Linux (.deb, portable .tar.gz), Windows (NSIS .exe) and macOS (DragNDrop .dmg).
# Included at the end of the top-level CMakeLists.txt, after every target and install() rule
# exists, so that the deployment steps below run after the binaries were installed (CMP0082:
# install rules run in the order they were declared).
#
#   cpack --config build/CPackConfig.cmake            # from the build dir: `cd build && cpack`
#   cmake --build build --target portable             # Linux portable bundle (.tar.gz)
#
# Every installer name carries PROJECT_VERSION, the one place the version is written
# (project(VERSION) in the top-level CMakeLists.txt). The tools and the app print the same
# number with --version (TERN_VERSION, set from PROJECT_VERSION in engine/CMakeLists.txt).

set(TERN_PACKAGING_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(TERN_ICONS_DIR "${PROJECT_SOURCE_DIR}/resources/icons")
set(TERN_BUNDLE_ID "io.github.tern.Tern" CACHE STRING "Reverse-DNS id (macOS bundle id, AppStream)")
# The licence, as LICENSE states it: for the AppStream metadata (SPDX id), the macOS bundle and
# the Windows version resource.
set(TERN_LICENSE "MIT")
set(TERN_COPYRIGHT "Copyright (c) 2026 The Tern authors")
# No public home page yet: set it when there is one (Debian Homepage, AppStream url, NSIS link).
set(CPACK_PACKAGE_HOMEPAGE_URL "" CACHE STRING "Project home page URL")
if(CPACK_PACKAGE_HOMEPAGE_URL)
  set(TERN_METAINFO_URL "<url type=\"homepage\">${CPACK_PACKAGE_HOMEPAGE_URL}</url>")
endif()
# Release date in the AppStream metadata; honours SOURCE_DATE_EPOCH for reproducible builds.
string(TIMESTAMP TERN_RELEASE_DATE "%Y-%m-%d" UTC)

# Architecture names as each platform spells them, for file names.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|x64)$")
  set(_tern_arch x86_64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(_tern_arch arm64)
else()
  set(_tern_arch ${CMAKE_SYSTEM_PROCESSOR})
endif()

# ---------------------------------------------------------------------------------------------
# The app's own icon, on every platform.
if(TARGET tern)
  # The app's find_package(Qt6) ran in app/, and imported targets and Qt's variables are
  # directory-scoped: find Qt again here for rcc, qmake's location and the deploy tools.
  find_package(Qt6 6.4 REQUIRED COMPONENTS Core)
  # Qt's own bin folder, where windeployqt/macdeployqt live (set by Qt6Config).
  set(_tern_qt_bin "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}")
  # Window icon (title bar, X11 task switchers). main.cpp loads :/tern/icons/<N>x<N>/apps/tern.png.
  # rcc's custom command must live in the directory of the target that compiles its output, so
  # the resource is compiled into an OBJECT library here and linked into tern (its objects go
  # straight into the executable, so the resource's static initialiser is kept).
  set(_qrc "${CMAKE_BINARY_DIR}/packaging/tern_icons.qrc")
  set(_qrc_text "<RCC>\n  <qresource prefix=\"/tern/icons\">\n")
  foreach(size 16 32 48 64 128 256)
    string(APPEND _qrc_text "    <file alias=\"${size}x${size}/apps/tern.png\">${TERN_ICONS_DIR}/hicolor/${size}x${size}/apps/tern.png</file>\n")
  endforeach()
  string(APPEND _qrc_text "  </qresource>\n</RCC>\n")
  file(CONFIGURE OUTPUT "${_qrc}" CONTENT "${_qrc_text}")
  qt_add_resources(_tern_icon_sources "${_qrc}")
  add_library(tern_icon_resources OBJECT ${_tern_icon_sources})
  target_link_libraries(tern_icon_resources PRIVATE Qt6::Core)
  target_link_libraries(tern PRIVATE tern_icon_resources)

  if(WIN32)
    # Explorer/taskbar icon and the file's version resource (Properties > Details).
    set(TERN_ICO "${TERN_ICONS_DIR}/tern.ico")
    configure_file("${TERN_PACKAGING_DIR}/windows/tern.rc.in" "${CMAKE_BINARY_DIR}/packaging/tern.rc" @ONLY)
    target_sources(tern PRIVATE "${CMAKE_BINARY_DIR}/packaging/tern.rc")
  endif()

  if(APPLE)
    # Tern.app rather than tern.app: the bundle name is what Finder and the Dock show.
    set(TERN_MACOS_MIN "${CMAKE_OSX_DEPLOYMENT_TARGET}")
    if(NOT TERN_MACOS_MIN)
      set(TERN_MACOS_MIN "11.0")  # Qt 6.5+ needs macOS 11; Qt 6.8 needs 12 (set CMAKE_OSX_DEPLOYMENT_TARGET)
    endif()
    configure_file("${TERN_PACKAGING_DIR}/macos/Info.plist.in" "${CMAKE_BINARY_DIR}/packaging/Info.plist" @ONLY)
    set(_icns "${TERN_ICONS_DIR}/tern.icns")
    target_sources(tern PRIVATE "${_icns}")
    set_source_files_properties("${_icns}" TARGET_DIRECTORY tern PROPERTIES MACOSX_PACKAGE_LOCATION Resources)
    set_target_properties(tern PROPERTIES
      OUTPUT_NAME Tern
      MACOSX_BUNDLE_INFO_PLIST "${CMAKE_BINARY_DIR}/packaging/Info.plist")
  endif()
endif()

# ---------------------------------------------------------------------------------------------
# The licence (MIT, LICENSE at the top of the repository) travels with every install: as
# /usr/share/doc/tern/copyright on Linux, where Debian policy (section 12.5) wants it, and as
# share/doc/tern/LICENSE elsewhere (inside Tern.app on macOS, where deploy-app.cmake moves share/).
if(UNIX AND NOT APPLE)
  install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION share/doc/tern RENAME copyright)
else()
  install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION share/doc/tern)
endif()

# ---------------------------------------------------------------------------------------------
# Linux (and other freedesktop systems): menu entry, icons, AppStream metadata.
if(UNIX AND NOT APPLE)
  install(FILES "${TERN_PACKAGING_DIR}/linux/tern.desktop" DESTINATION share/applications)
  foreach(size 16 24 32 48 64 128 256 512)
    install(FILES "${TERN_ICONS_DIR}/hicolor/${size}x${size}/apps/tern.png"
            DESTINATION share/icons/hicolor/${size}x${size}/apps)
  endforeach()
  install(FILES "${TERN_ICONS_DIR}/tern.svg" DESTINATION share/icons/hicolor/scalable/apps)
  configure_file("${TERN_PACKAGING_DIR}/linux/tern.metainfo.xml.in"
                 "${CMAKE_BINARY_DIR}/packaging/tern.metainfo.xml" @ONLY)
  install(FILES "${CMAKE_BINARY_DIR}/packaging/tern.metainfo.xml" DESTINATION share/metainfo)
endif()

# ---------------------------------------------------------------------------------------------
# Windows: copy the Qt DLLs, plugins and QML modules next to tern.exe at install time, so the
# NSIS installer (and `cmake --install`) gives a self-contained folder (windows/deploy-qt.cmake).
if(WIN32 AND TARGET tern)
  find_program(TERN_WINDEPLOYQT windeployqt HINTS "${_tern_qt_bin}" NO_DEFAULT_PATH)
  if(NOT TERN_WINDEPLOYQT)
    message(WARNING "windeployqt not found in ${_tern_qt_bin}: the installer will lack the Qt DLLs")
  else()
    # tern-models (Qt Core + Network) needs the Qt DLLs too, when its target exists.
    install(CODE "
      set(TERN_WINDEPLOYQT \"${TERN_WINDEPLOYQT}\")
      set(TERN_QML_DIR \"${PROJECT_SOURCE_DIR}/qml\")
      set(TERN_QT_TOOLS \"$<$<TARGET_EXISTS:tern-models>:tern-models.exe>\")
      include(\"${TERN_PACKAGING_DIR}/windows/deploy-qt.cmake\")")
  endif()
  # The MSVC runtime DLLs (vcruntime140.dll, msvcp140.dll), so no VC++ redistributable is needed.
  set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION bin)
  include(InstallRequiredSystemLibraries)
endif()

# ---------------------------------------------------------------------------------------------
# macOS: everything goes inside Tern.app, so the DMG holds just the app to drag to Applications
# (tools, model, Qt frameworks, signing: see macos/deploy-app.cmake).
if(APPLE AND TARGET tern)
  find_program(TERN_MACDEPLOYQT macdeployqt HINTS "${_tern_qt_bin}" NO_DEFAULT_PATH)
  if(NOT TERN_MACDEPLOYQT)
    message(WARNING "macdeployqt not found in ${_tern_qt_bin}: Tern.app will lack the Qt frameworks")
  endif()
  install(CODE "
    set(TERN_MACDEPLOYQT \"${TERN_MACDEPLOYQT}\")
    set(TERN_QML_DIR \"${PROJECT_SOURCE_DIR}/qml\")
    include(\"${TERN_PACKAGING_DIR}/macos/deploy-app.cmake\")")
endif()

# ---------------------------------------------------------------------------------------------
# Linux portable bundle: `cmake --build build --target portable` stages an install and turns it
# into tern-<version>-linux-<arch>.tar.gz with the Qt libraries, plugins and QML modules inside.
if(UNIX AND NOT APPLE AND TARGET tern)
  add_custom_target(portable
    COMMAND "${TERN_PACKAGING_DIR}/linux/make-portable.sh"
            --build-dir "${CMAKE_BINARY_DIR}"
            --version "${PROJECT_VERSION}"
            --arch "${_tern_arch}"
            --out "${CMAKE_BINARY_DIR}"
    USES_TERMINAL
    COMMENT "Making the portable bundle tern-${PROJECT_VERSION}-linux-${_tern_arch}.tar.gz")
  # Everything `cmake --install` copies must be built first.
  foreach(_t tern tern-cli tern-convert tern-bench tern-models)
    if(TARGET ${_t})
      add_dependencies(portable ${_t})
    endif()
  endforeach()
endif()

# ---------------------------------------------------------------------------------------------
# CPack: common settings.
set(CPACK_PACKAGE_NAME "tern")
set(CPACK_PACKAGE_VENDOR "Tern")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
  "Tern runs ternary (1.58-bit) language models such as Microsoft's BitNet b1.58 2B4T on an
ordinary computer: no GPU, no server. It has its own inference engine and a Qt Quick chat
window, plus the command-line tools tern-cli, tern-convert, tern-bench and tern-models. A small
built-in model makes it work offline from the first start.")
set(CPACK_PACKAGE_CONTACT "Tern maintainers <tern@example.invalid>" CACHE STRING "Package maintainer (Debian Maintainer field)")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Tern")
set(CPACK_PACKAGE_ICON "${TERN_ICONS_DIR}/tern.ico")
set(CPACK_STRIP_FILES ON)
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_VERBATIM_VARIABLES ON)

# Settings for every generator are set on every platform (each generator reads only its own),
# so `cpack -G NSIS` also runs on Linux with Debian's nsis package, which checks the installer
# script here even though Windows installers are built on Windows. The default generator and
# the file names depend on the platform; the names are chosen per generator at cpack time in
# CPackProjectConfig.cmake.
if(WIN32)
  set(CPACK_GENERATOR "NSIS")
elseif(APPLE)
  set(CPACK_GENERATOR "DragNDrop")
else()
  set(CPACK_GENERATOR "DEB")
endif()
if(CMAKE_OSX_ARCHITECTURES MATCHES ";")
  set(TERN_MAC_ARCH universal)
elseif(CMAKE_OSX_ARCHITECTURES)
  set(TERN_MAC_ARCH ${CMAKE_OSX_ARCHITECTURES})
else()
  set(TERN_MAC_ARCH ${_tern_arch})
endif()
set(TERN_ARCH ${_tern_arch})
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_BINARY_DIR}/packaging/CPackProjectConfig.cmake")
configure_file("${TERN_PACKAGING_DIR}/CPackProjectConfig.cmake.in" "${CPACK_PROJECT_CONFIG_FILE}" @ONLY)

# --- Windows: NSIS -------------------------------------------------------------------------
# Start-menu shortcut "Tern" to bin\tern.exe, and an optional desktop shortcut.
set(CPACK_PACKAGE_EXECUTABLES "tern;Tern")
set(CPACK_CREATE_DESKTOP_LINKS "tern")
set(CPACK_NSIS_EXECUTABLES_DIRECTORY "bin")
set(CPACK_NSIS_PACKAGE_NAME "Tern")
set(CPACK_NSIS_DISPLAY_NAME "Tern ${PROJECT_VERSION}")
set(CPACK_NSIS_INSTALL_ROOT "$PROGRAMFILES64")
set(CPACK_NSIS_MUI_ICON "${TERN_ICONS_DIR}/tern.ico")
set(CPACK_NSIS_MUI_UNIICON "${TERN_ICONS_DIR}/tern.ico")
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\tern.exe")  # icon in Settings > Apps
if(CPACK_PACKAGE_HOMEPAGE_URL)
  set(CPACK_NSIS_URL_INFO_ABOUT "${CPACK_PACKAGE_HOMEPAGE_URL}")
endif()
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_MUI_FINISHPAGE_RUN "tern.exe")
set(CPACK_NSIS_MANIFEST_DPI_AWARE ON)
# MIT asks nothing of the user, so no licence page to click through (LICENSE is installed).
set(CPACK_NSIS_IGNORE_LICENSE_PAGE ON)
# The options page offers to put bin\ (tern-cli & co.) on PATH (default off) and the desktop icon.
set(CPACK_NSIS_MODIFY_PATH ON)
if(WIN32)
  # (BrandingText uses /TRIM, which Linux builds of makensis reject.)
  set(CPACK_NSIS_BRANDING_TEXT "Tern ${PROJECT_VERSION}")
  # Optional code signing of tern*.exe before packing (only when CI provides a certificate).
  set(CPACK_PRE_BUILD_SCRIPTS "${TERN_PACKAGING_DIR}/windows/sign-binaries.cmake")
endif()
# Per-user install: CMake's stock template hard-codes `RequestExecutionLevel admin`. The copy
# made here runs without elevation, so a double-click installs for the current user into
# %LOCALAPPDATA%\Programs\Tern (no admin rights needed), while "Run as administrator"
# installs for all users into Program Files (the template's own AllUsers/JustMe logic).
set(TERN_NSIS_EXECUTION_LEVEL "user" CACHE STRING
    "NSIS RequestExecutionLevel: user (per-user by default, all users when run as admin) or admin")
set(_stock "${CMAKE_ROOT}/Modules/Internal/CPack/NSIS.template.in")
if(EXISTS "${_stock}")
  file(READ "${_stock}" _tpl)
  set(_tpl_before "${_tpl}")
  string(REPLACE "RequestExecutionLevel admin" "RequestExecutionLevel ${TERN_NSIS_EXECUTION_LEVEL}" _tpl "${_tpl}")
  string(REPLACE "$DOCUMENTS\\@CPACK_PACKAGE_INSTALL_DIRECTORY@"
                 "$LOCALAPPDATA\\Programs\\@CPACK_PACKAGE_INSTALL_DIRECTORY@" _tpl "${_tpl}")
  if(_tpl STREQUAL _tpl_before)
    message(WARNING "CMake's NSIS template changed; the per-user install patch did not apply")
  else()
    file(WRITE "${CMAKE_BINARY_DIR}/packaging/nsis/NSIS.template.in" "${_tpl}")
    list(PREPEND CMAKE_MODULE_PATH "${CMAKE_BINARY_DIR}/packaging/nsis")
  endif()
endif()

# --- macOS: DragNDrop DMG --------------------------------------------------------------------
set(CPACK_DMG_VOLUME_NAME "Tern ${PROJECT_VERSION}")
set(CPACK_DMG_FORMAT "UDBZ")
# No licence agreement shown when the DMG opens (CPACK_RESOURCE_FILE_LICENSE would add one).
set(CPACK_DMG_SLA_USE_RESOURCE_FILE_LICENSE OFF)
# DragNDrop puts an /Applications link beside Tern.app by default
# (CPACK_DMG_DISABLE_APPLICATIONS_SYMLINK stays OFF), so the user drags the app onto it.

# --- Linux: DEB ------------------------------------------------------------------------------
# tern_<version>_<arch>.deb, as Debian names files; installed under /usr (DEB's default prefix).
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What dpkg-shlibdeps cannot see: QML modules and plugins are loaded at run time. The list is
# the run-time part of packaging/linux/install-build-deps.sh (keep the two in step).
# The xcb and offscreen platform plugins are in libqt6gui6, which shlibdeps does find.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "qml6-module-qtquick, qml6-module-qtquick-controls, qml6-module-qtquick-layouts, qml6-module-qtquick-templates, qml6-module-qtquick-window, qml6-module-qtqml-workerscript, qml6-module-qtquick-dialogs, qml6-module-qt-labs-folderlistmodel, libqt6sql6-sqlite")
# Mesa for the xcb/wayland OpenGL scene graph (without it the window fails to open), the
# native Wayland platform plugin (else Qt falls back to XWayland), certs for HTTPS model
# downloads, fonts so text renders on minimal systems.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libgl1-mesa-dri, qt6-wayland, ca-certificates, fonts-dejavu-core")

include(CPack)
