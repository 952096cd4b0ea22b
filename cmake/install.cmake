# What `cmake --install` lays out (CONTRACT.md section 19), under the prefix:
#   bin/dropline
#   share/man/man1/dropline.1          built from docs/dropline.1.scd by scdoc
#   share/doc/dropline/                README.md, LICENSE, docs/*.md and
#                                      examples/dropline.default
#   lib/systemd/system/dropline.service
# Included once from the top-level CMakeLists.txt, after the dropline target.
include(GNUInstallDirs)

install(TARGETS dropline RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The man page is built with everything else when scdoc is there (Debian
# package scdoc, which scripts/install-deps.sh installs); a build without it
# still works, without the page.
find_program(SCDOC scdoc)
if(SCDOC)
  set(DROPLINE_MAN_SOURCE ${PROJECT_SOURCE_DIR}/docs/dropline.1.scd)
  set(DROPLINE_MAN_PAGE ${PROJECT_BINARY_DIR}/dropline.1)
  add_custom_command(
    OUTPUT ${DROPLINE_MAN_PAGE}
    COMMAND sh -c "\"$0\" < \"$1\" > \"$2\"" ${SCDOC} ${DROPLINE_MAN_SOURCE} ${DROPLINE_MAN_PAGE}
    DEPENDS ${DROPLINE_MAN_SOURCE}
    COMMENT "Building the man page dropline(1)"
    VERBATIM)
  add_custom_target(dropline_man ALL DEPENDS ${DROPLINE_MAN_PAGE})
  install(FILES ${DROPLINE_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "scdoc not found: the man page dropline(1) will not be built or installed")
endif()

# README.md links to docs/NAME.md: keep that layout under the docdir.
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB DROPLINE_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${DROPLINE_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(FILES ${PROJECT_SOURCE_DIR}/dist/dropline.default
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# The unit's ExecStart must name the installed binary, and `cmake --install
# --prefix P` chooses the prefix only at install time: the unit is made then,
# from the prefix in force.
set(DROPLINE_SYSTEMD_UNIT_DIR lib/systemd/system CACHE STRING
  "Where the systemd unit is installed (relative to the prefix, or absolute)")
set(DROPLINE_UNIT ${PROJECT_BINARY_DIR}/dropline.service)
install(CODE "
  set(DROPLINE_INSTALL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  if(NOT IS_ABSOLUTE \"\${DROPLINE_INSTALL_BINDIR}\")
    set(DROPLINE_INSTALL_BINDIR \"\${CMAKE_INSTALL_PREFIX}/\${DROPLINE_INSTALL_BINDIR}\")
  endif()
  configure_file(\"${PROJECT_SOURCE_DIR}/dist/dropline.service.in\" \"${DROPLINE_UNIT}\" @ONLY)
")
install(FILES ${DROPLINE_UNIT} DESTINATION ${DROPLINE_SYSTEMD_UNIT_DIR})
