# Finds every system package Rill uses (DESIGN.md §2). A missing one is a clear error
# naming the Debian package that provides it; tools/install-deps.sh installs them all.
find_package(PkgConfig REQUIRED)

macro(rill_require_package name debian)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "Missing dependency ${name}: install the Debian package '${debian}' "
                        "(or run tools/install-deps.sh)")
  endif()
endmacro()

macro(rill_require_pkgconfig prefix module debian)
  pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${module})
  if(NOT ${prefix}_FOUND)
    message(FATAL_ERROR "Missing dependency ${module}: install the Debian package '${debian}' "
                        "(or run tools/install-deps.sh)")
  endif()
endmacro()

find_package(Threads REQUIRED)
rill_require_package(absl libabsl-dev CONFIG)
rill_require_package(fmt libfmt-dev CONFIG)
rill_require_package(spdlog libspdlog-dev CONFIG)
rill_require_package(GTest libgtest-dev)
rill_require_package(benchmark libbenchmark-dev CONFIG)
rill_require_package(Protobuf protobuf-compiler)
rill_require_package(ZLIB zlib1g-dev)
rill_require_pkgconfig(RDKAFKA rdkafka librdkafka-dev)
rill_require_pkgconfig(RDKAFKAPP rdkafka++ librdkafka-dev)
rill_require_pkgconfig(ZSTD libzstd libzstd-dev)
rill_require_pkgconfig(LZ4 liblz4 liblz4-dev)

find_library(SNAPPY_LIBRARY snappy)
find_path(SNAPPY_INCLUDE_DIR snappy.h)
if(NOT SNAPPY_LIBRARY OR NOT SNAPPY_INCLUDE_DIR)
  message(FATAL_ERROR "Missing dependency snappy: install the Debian package 'libsnappy-dev'")
endif()
add_library(rill_snappy INTERFACE)
target_link_libraries(rill_snappy INTERFACE ${SNAPPY_LIBRARY})
target_include_directories(rill_snappy SYSTEM INTERFACE ${SNAPPY_INCLUDE_DIR})

find_path(ASIO_INCLUDE_DIR asio.hpp)
if(NOT ASIO_INCLUDE_DIR)
  message(FATAL_ERROR "Missing dependency asio: install the Debian package 'libasio-dev'")
endif()
add_library(rill_asio INTERFACE)
target_include_directories(rill_asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(rill_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(rill_asio INTERFACE Threads::Threads)

# Streams and state (issue 5).
rill_require_package(RocksDB librocksdb-dev CONFIG)
rill_require_package(nlohmann_json nlohmann-json3-dev CONFIG)
rill_require_package(prometheus-cpp prometheus-cpp-dev CONFIG)
rill_require_pkgconfig(HTTPLIB cpp-httplib libcpp-httplib-dev)

# jemalloc for the streams applications we ship (examples): librdkafka allocates every
# consumed message on its fetch thread and the stream thread frees it, which serializes on
# glibc's arena locks; with jemalloc the word count ran 1.3-1.5x faster
# (docs/PERFORMANCE.md, "Allocator"). Libraries never force an allocator on their users;
# rill_use_jemalloc(target) is for executables.
rill_require_pkgconfig(JEMALLOC jemalloc libjemalloc-dev)
function(rill_use_jemalloc target)
  target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
endfunction()
