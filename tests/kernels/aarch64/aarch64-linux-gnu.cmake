# CMake toolchain: Linux/AArch64 with Debian's cross compiler (package g++-aarch64-linux-gnu).
# Used by tests/kernels/aarch64/CMakeLists.txt (the kernels and their tests only); the programs
# it builds run under qemu-user: qemu-aarch64 -L /usr/aarch64-linux-gnu.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(TERN_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_CXX_COMPILER ${TERN_CROSS_TRIPLE}-g++)

# Headers and libraries from the target's sysroot only, never the host's /usr/include or
# /usr/lib; programs (the build tools) from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${TERN_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${CMAKE_SYSTEM_PROCESSOR} -L /usr/${TERN_CROSS_TRIPLE})
