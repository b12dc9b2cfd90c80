# tests/runtime: test_systemd re-applies the unit's system-call filter with libseccomp
# (libseccomp-dev) to check that io_uring, futex and the segment still work under it;
# without the library that one test reports a skip.
pkg_check_modules(SECCOMP IMPORTED_TARGET libseccomp)
if(SECCOMP_FOUND)
  target_link_libraries(runtime_test_systemd PRIVATE PkgConfig::SECCOMP PkgConfig::URING)
  target_compile_definitions(runtime_test_systemd PRIVATE TC_HAVE_SECCOMP=1)
endif()
