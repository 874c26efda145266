# install() rules and the exported CMake package: find_package(augur) then link augur::augur.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS ${AUGUR_LIBRARY_TARGETS} augur EXPORT augurTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION include)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION include)
install(DIRECTORY ${PROJECT_BINARY_DIR}/generated/include/ DESTINATION include)
install(EXPORT augurTargets NAMESPACE augur:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/augur)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/augurConfig.cmake.in
  ${PROJECT_BINARY_DIR}/augurConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/augur)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/augurConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/augurConfig.cmake ${PROJECT_BINARY_DIR}/augurConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/augur)
