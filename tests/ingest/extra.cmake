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
  target_link_libraries(fuzz_import PRIVATE PkgConfig::ZLIB PkgConfig::ZSTD PkgConfig::URING m)
  set_target_properties(fuzz_import PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME fuzz_import
    COMMAND ${CMAKE_COMMAND} -E env sh -c "mkdir -p fuzz_import_corpus && ${CMAKE_BINARY_DIR}/tests/fuzz_import -max_total_time=20 -max_len=4096 fuzz_import_corpus ${TC_SHARED_DIR}/data/ticks")
  set_tests_properties(fuzz_import PROPERTIES LABELS "fuzz" TIMEOUT 120)
endif()

# Fuzz harness for the native tick file readers (tests/fuzz/fuzz_tickfile.c), clang only
# like the one above; ctest runs it for 20 s from a corpus seeded with two small native
# files (raw and zstd) imported from the shared TrueFX file by the tickcast tool.
if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
  add_executable(fuzz_tickfile ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_tickfile.c ${_fz_src}
                 ${CMAKE_SOURCE_DIR}/shm/records.c)
  target_include_directories(fuzz_tickfile PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_options(fuzz_tickfile PRIVATE -fsanitize=fuzzer,address,undefined -g -O1)
  target_link_options(fuzz_tickfile PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_tickfile PRIVATE PkgConfig::ZLIB PkgConfig::ZSTD PkgConfig::URING m)
  set_target_properties(fuzz_tickfile PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME fuzz_tickfile
    COMMAND ${CMAKE_COMMAND} -E env sh -c "mkdir -p fuzz_tickfile_corpus && ${CMAKE_BINARY_DIR}/bin/tickcast import -q --block-ticks 40 -o fuzz_tickfile_corpus/seed_raw.tck ${TC_SHARED_DIR}/data/ticks/fx_truefx_usdjpy_quotes_20130101.csv && ${CMAKE_BINARY_DIR}/bin/tickcast import -q --zstd --block-ticks 100 -o fuzz_tickfile_corpus/seed_zstd.tck ${TC_SHARED_DIR}/data/ticks/fx_truefx_usdjpy_quotes_20130101.csv && ${CMAKE_BINARY_DIR}/tests/fuzz_tickfile -max_total_time=20 -max_len=70000 fuzz_tickfile_corpus")
  set_tests_properties(fuzz_tickfile PROPERTIES LABELS "fuzz" TIMEOUT 120)
endif()
