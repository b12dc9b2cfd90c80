# Fuzz harnesses (libFuzzer, clang).  Two uses:
#  - A build configured with -DTC_FUZZ=ON and clang (`make fuzz`): the harnesses, built
#    over the parser sources compiled with coverage, ASan and UBSan, into <build>/fuzz/;
#    target `fuzzers`.  tools/run-fuzz.sh runs them.
#  - Any other build: the ctest `fuzz_smoke`, which configures such a tree with clang in
#    <build>/fuzz-tree, builds it and runs each harness for TC_FUZZ_SMOKE_SECONDS
#    (skipped, with the reason, when clang or its libFuzzer runtime is missing).
set(TC_FUZZ_SMOKE_SECONDS 10 CACHE STRING "seconds per harness in the fuzz_smoke test")

if(TC_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TC_FUZZ=ON needs clang: -DCMAKE_C_COMPILER=clang")
  endif()
  set(_fuzz_flags -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
      -Wno-unknown-warning-option
      -fno-omit-frame-pointer -g -O1)
  file(GLOB _fuzz_fmt ${CMAKE_SOURCE_DIR}/ingest/fmt_*.c)
  # The code under test, compiled again with coverage and sanitizers (the project's
  # libraries keep the build's own flags).
  add_library(tc_fuzz_ingest STATIC ${_fuzz_fmt}
    ${CMAKE_SOURCE_DIR}/ingest/import.c ${CMAKE_SOURCE_DIR}/ingest/decimal.c
    ${CMAKE_SOURCE_DIR}/ingest/nbbo.c ${CMAKE_SOURCE_DIR}/ingest/tz.c
    ${CMAKE_SOURCE_DIR}/ingest/msgpack_tick.c ${CMAKE_SOURCE_DIR}/ingest/zmqfeed.c
    ${CMAKE_SOURCE_DIR}/ingest/tickfile.c
    ${CMAKE_SOURCE_DIR}/ingest/crc32c.c ${CMAKE_SOURCE_DIR}/ingest/replay.c
    ${CMAKE_SOURCE_DIR}/ingest/clean.c ${CMAKE_SOURCE_DIR}/shm/records.c
    ${CMAKE_SOURCE_DIR}/daemon/runtime/err.c ${CMAKE_SOURCE_DIR}/daemon/runtime/log.c)
  target_include_directories(tc_fuzz_ingest PUBLIC ${CMAKE_SOURCE_DIR})
  target_compile_options(tc_fuzz_ingest PUBLIC ${_fuzz_flags})
  target_link_libraries(tc_fuzz_ingest PUBLIC PkgConfig::MSGPACK PkgConfig::ZSTD PkgConfig::ZLIB
    PkgConfig::URING PkgConfig::ZMQ m)

  set(_fuzzers)
  foreach(fam lean csvquote tardis binance yahoo text)
    add_executable(fuzz_import_${fam} ${CMAKE_CURRENT_LIST_DIR}/fuzz_import.c)
    target_compile_definitions(fuzz_import_${fam} PRIVATE FUZZ_FAMILY="${fam}")
    list(APPEND _fuzzers fuzz_import_${fam})
  endforeach()
  add_executable(fuzz_msgpack ${CMAKE_CURRENT_LIST_DIR}/fuzz_msgpack.c)
  add_executable(fuzz_tickfile ${CMAKE_CURRENT_LIST_DIR}/fuzz_tickfile.c)
  add_executable(fuzz_zmqfeed ${CMAKE_CURRENT_LIST_DIR}/fuzz_zmqfeed.c)
  list(APPEND _fuzzers fuzz_msgpack fuzz_tickfile fuzz_zmqfeed)
  foreach(t ${_fuzzers})
    target_link_libraries(${t} PRIVATE tc_fuzz_ingest)
    target_link_options(${t} PRIVATE -fsanitize=fuzzer,address,undefined)
    set_target_properties(${t} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  endforeach()
  add_custom_target(fuzzers DEPENDS ${_fuzzers})
else()
  add_test(NAME fuzz_smoke COMMAND ${CMAKE_SOURCE_DIR}/tools/run-fuzz.sh --configure
    ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/fuzz-tree ${TC_FUZZ_SMOKE_SECONDS})
  set_tests_properties(fuzz_smoke PROPERTIES LABELS "fuzz" TIMEOUT 900 SKIP_RETURN_CODE 77
    ENVIRONMENT "TC_SHARED_DIR=${TC_SHARED_DIR}")
endif()
