# `make package`: a .deb built by CPack, with the desktop entry, AppStream
# metadata, the icon and a systemd user unit for `vigil --headless`.

install(FILES "${CMAKE_SOURCE_DIR}/packaging/io.vigil.Vigil.desktop" DESTINATION share/applications)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/io.vigil.Vigil.metainfo.xml" DESTINATION share/metainfo)
install(FILES "${CMAKE_SOURCE_DIR}/resources/icons/vigil.svg"
        DESTINATION share/icons/hicolor/scalable/apps RENAME io.vigil.Vigil.svg)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/vigil.service" DESTINATION lib/systemd/user)
# Bundled dashboards, provisioned read-only (core/dashboard/dashboard_store.h).
install(DIRECTORY "${CMAKE_SOURCE_DIR}/dashboards/" DESTINATION share/vigil/dashboards
        FILES_MATCHING PATTERN "*.json")

set(CPACK_PACKAGE_NAME "vigil")
set(CPACK_PACKAGE_VENDOR "Vigil")
set(CPACK_PACKAGE_CONTACT "Vigil developers <dev@vigil.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, qt6-svg-plugins | libqt6svg6")
include(CPack)
