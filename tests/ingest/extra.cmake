# Fuzz harness for the importers (tests/fuzz/fuzz_import.c).  libFuzzer comes with
# clang, so the target exists only in a clang build (-DCMAKE_C_COMPILER=clang); the
# importer sources are compiled into it with coverage and sanitizers.  ctest runs it for
# 20 s from a scratch corpus seeded with the shared tick files.
if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
  file(GLOB _fz_src CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/ingest/*.c ${CMAKE_SOURCE_DIR}/daemon/runtime/*.c)
  list(FILTER _fz_src EXCLUDE REGEX "(/main\\.c|_main\\.c)$")
  add_executable(fuzz_import ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_import.c ${_fz_src}
                 ${CMAKE_SOURCE_DIR}/shm/records.c)
  target_include_directories(fuzz_import PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_options(fuzz_import PRIVATE -fsanitize=fuzzer,address,undefined -g -O1)
  target_link_options(fuzz_import PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_import PRIVATE PkgConfig::ZLIB m)
  set_target_properties(fuzz_import PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME fuzz_import
    COMMAND ${CMAKE_COMMAND} -E env sh -c "mkdir -p fuzz_import_corpus && ${CMAKE_BINARY_DIR}/tests/fuzz_import -max_total_time=20 -max_len=4096 fuzz_import_corpus ${TC_SHARED_DIR}/data/ticks")
  set_tests_properties(fuzz_import PROPERTIES LABELS "fuzz" TIMEOUT 120)
endif()
