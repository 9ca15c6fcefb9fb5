# `cmake --install <build> [--prefix <dir>]` installs Rill as a CMake package:
#
#   include/rill/{broker,state,streams}/**.h   public headers, same relative paths as in the
#                                               source tree ("broker/embedded_cluster.h")
#   include/rill/*.pb.h                         generated protobuf headers
#   lib/librill_*.a                             the static libraries
#   lib/cmake/rill/rill{Config,Targets}*.cmake  the package
#
# so that another project does
#
#   find_package(rill CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE rill::streams)   # and/or rill::broker to embed a cluster
#
# The same rill::<name> targets exist as aliases inside this build. tests/packaging checks
# all of this by building a small out-of-tree project against an installed copy.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(RILL_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/rill)
set(RILL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/rill)

# Installed libraries: rill::<name> for consumers (EXPORT_NAME), and the same name as an
# alias inside this build.
function(rill_package_library target name)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  # The public headers are C++20; say so to consumers (a no-op inside this build).
  set_property(TARGET ${target} APPEND PROPERTY INTERFACE_COMPILE_FEATURES cxx_std_20)
  add_library(rill::${name} ALIAS ${target})
  set_property(GLOBAL APPEND PROPERTY RILL_PACKAGE_TARGETS ${target})
  set_property(GLOBAL APPEND PROPERTY RILL_PACKAGE_COMPONENTS ${name})
endfunction()

# Helper INTERFACE targets (cmake/dependencies.cmake, top level) that the libraries link
# PRIVATE. A static library keeps its private dependencies in its link interface as
# $<LINK_ONLY:...>, so the export needs a target for each. A $<LINK_ONLY:> use sees only a
# target's link libraries, so the compile-side properties (our -Wall/-Werror, asio's
# include dir and defines) are made build-only: the installed copies carry just what the
# final link needs (Threads for asio, libsnappy for snappy, nothing for warnings).
function(rill_package_link_only_helper target name)
  foreach(property INTERFACE_COMPILE_OPTIONS INTERFACE_COMPILE_DEFINITIONS
                   INTERFACE_INCLUDE_DIRECTORIES INTERFACE_SYSTEM_INCLUDE_DIRECTORIES)
    get_target_property(values ${target} ${property})
    if(values)
      list(TRANSFORM values REPLACE "^(.+)$" "$<BUILD_INTERFACE:\\1>")
      set_property(TARGET ${target} PROPERTY ${property} ${values})
    endif()
  endforeach()
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  set_property(GLOBAL APPEND PROPERTY RILL_PACKAGE_HELPERS ${target})
endfunction()

rill_package_library(rill_protocol protocol)
rill_package_library(rill_log log)
rill_package_library(rill_broker broker)
rill_package_library(rill_proto proto)
rill_package_library(rill_state state)
rill_package_library(rill_streams streams)
rill_package_link_only_helper(rill_warnings detail_warnings)
rill_package_link_only_helper(rill_asio detail_asio)
rill_package_link_only_helper(rill_snappy detail_snappy)
get_property(rill_package_targets GLOBAL PROPERTY RILL_PACKAGE_TARGETS)
get_property(rill_package_helpers GLOBAL PROPERTY RILL_PACKAGE_HELPERS)
get_property(RILL_PACKAGE_COMPONENTS GLOBAL PROPERTY RILL_PACKAGE_COMPONENTS)  # for rillConfig

install(TARGETS ${rill_package_targets}
  EXPORT rillTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${RILL_INSTALL_INCLUDEDIR})
install(TARGETS ${rill_package_helpers} EXPORT rillTargets)

# Headers keep their project-relative paths. internal/ directories are installed too: the
# header-only parts of the streams DSL and Processor API include them (tests/packaging
# checks that every installed header's project includes resolve in the install).
foreach(area broker state streams)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${area}
    DESTINATION ${RILL_INSTALL_INCLUDEDIR}
    FILES_MATCHING PATTERN "*.h")
endforeach()

# Generated protobuf headers: protobuf_generate() lists them among rill_proto's sources.
get_target_property(rill_proto_sources rill_proto SOURCES)
list(FILTER rill_proto_sources INCLUDE REGEX "\\.pb\\.h$")
install(FILES ${rill_proto_sources} DESTINATION ${RILL_INSTALL_INCLUDEDIR})

install(EXPORT rillTargets
  NAMESPACE rill::
  FILE rillTargets.cmake
  DESTINATION ${RILL_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/rillConfig.cmake.in
  ${PROJECT_BINARY_DIR}/rillConfig.cmake
  INSTALL_DESTINATION ${RILL_INSTALL_CMAKEDIR})
set(rill_package_files ${PROJECT_BINARY_DIR}/rillConfig.cmake)
if(PROJECT_VERSION)
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/rillConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
  list(APPEND rill_package_files ${PROJECT_BINARY_DIR}/rillConfigVersion.cmake)
endif()
install(FILES ${rill_package_files} DESTINATION ${RILL_INSTALL_CMAKEDIR})
