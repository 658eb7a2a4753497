# Purpose: the Debian package of footfall. `cpack -G DEB` in the build
# directory makes footfall_<version>_<arch>.deb from the install rules:
# /usr/sbin/footfalld, /usr/bin/footfall-anonymize (rewrites a capture so
# that it can be handed to someone), /etc/footfall/footfall.toml (a conffile, so dpkg keeps
# the operator's edits), the unit in /lib/systemd/system, the sysusers file in
# /usr/lib/sysusers.d, the docs, the web dashboard in
# /usr/share/footfall/dashboard (dashboard/CMakeLists.txt) with an example
# mosquitto configuration that serves it; shlibdeps fills Depends from the libraries
# footfalld links; packaging/deb/ holds the maintainer scripts.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(WARNING "CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; the Debian places need "
                  "-DCMAKE_INSTALL_PREFIX=/usr")
endif()

install(FILES docs/deploy.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The broker's side of the dashboard, as an example only (not in
# /etc/mosquitto: enabling it is the admin's choice, docs/deploy.md).
install(FILES packaging/mosquitto/footfall-dashboard.conf packaging/mosquitto/footfall.acl
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/mosquitto)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME footfall)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "footfall maintainers <footfall@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Wi-Fi footfall sensor: anonymous probe-request counts over MQTT")
# The long description; CPack puts the summary above it.
set(CPACK_PACKAGE_DESCRIPTION
    "footfalld listens to the probe requests that phones broadcast on a Wi-Fi
interface in monitor mode, turns every transmitter address into a pseudonym
under a secret key that lives only in locked memory and is rotated and wiped,
and publishes only aggregates (devices per window, probe requests, signal)
as JSON over MQTT. No MAC address is ever logged, stored or sent.
footfall-anonymize rewrites a capture so that it identifies no one, for
handing it to support or research.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # footfall_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "iw")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mosquitto, mosquitto-clients")
set(CPACK_STRIP_FILES ON)

# conffiles: dpkg does not overwrite an edited /etc/footfall/footfall.toml.
set(FOOTFALL_DEB_DIR ${PROJECT_BINARY_DIR}/packaging/deb)
file(WRITE ${FOOTFALL_DEB_DIR}/conffiles "${CMAKE_INSTALL_FULL_SYSCONFDIR}/footfall/footfall.toml\n")
foreach(script postinst prerm postrm)
  file(COPY ${PROJECT_SOURCE_DIR}/packaging/deb/${script} DESTINATION ${FOOTFALL_DEB_DIR}
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                        WORLD_READ WORLD_EXECUTE)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${FOOTFALL_DEB_DIR}/conffiles ${FOOTFALL_DEB_DIR}/postinst ${FOOTFALL_DEB_DIR}/prerm
    ${FOOTFALL_DEB_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
