# install.cmake - what `cmake --install` puts where (included from
# CMakeLists.txt): the command, its cron wrapper and systemd user units,
# the man page, bash and zsh completion, and libnewsidx with its headers,
# a pkg-config file (newsidx.pc) and a CMake package (find_package(newsidx)
# gives the imported target newsidx::newsidx with its link dependencies).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS newsidx RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS scripts/newsidx-cron DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES doc/newsidx.1 doc/newsidx-cron.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES scripts/completion/newsidx.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME newsidx)
install(FILES scripts/completion/_newsidx DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)

# systemd user units: lib/systemd/user under the prefix (not the multiarch
# libdir), with ExecStart naming the newsidx of this prefix -- decided at
# install time, so that `cmake --install --prefix P` gets P/bin/newsidx.
foreach(unit newsidx-sync.service newsidx-sync.timer)
  install(CODE "
    file(READ \"${CMAKE_CURRENT_SOURCE_DIR}/scripts/systemd/${unit}\" nx_unit)
    string(REPLACE \"/usr/local/bin/newsidx\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/newsidx\" nx_unit \"\${nx_unit}\")
    file(WRITE \"${CMAKE_CURRENT_BINARY_DIR}/units/${unit}\" \"\${nx_unit}\")
    file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/user\" TYPE FILE
         FILES \"${CMAKE_CURRENT_BINARY_DIR}/units/${unit}\")")
endforeach()

# libnewsidx (static) and its public headers
set_target_properties(nxcore PROPERTIES EXPORT_NAME newsidx)
install(TARGETS nxcore EXPORT newsidxTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/newsidx DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(NX_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/newsidx)
install(EXPORT newsidxTargets NAMESPACE newsidx:: DESTINATION ${NX_CMAKE_DIR})
configure_package_config_file(cmake/newsidxConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/newsidxConfig.cmake
  INSTALL_DESTINATION ${NX_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/newsidxConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/newsidxConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/newsidxConfigVersion.cmake
        DESTINATION ${NX_CMAKE_DIR})

# pkg-config: relocatable (prefix found from the .pc file's own place)
file(RELATIVE_PATH NX_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" NX_PC_TO_PREFIX "${NX_PC_TO_PREFIX}")
configure_file(cmake/newsidx.pc.in ${CMAKE_CURRENT_BINARY_DIR}/newsidx.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/newsidx.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
