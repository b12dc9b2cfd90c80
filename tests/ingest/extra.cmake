# The native tick file fuzz harness (tests/fuzz/fuzz_tickfile.c): built only with clang,
# which has libFuzzer:  CC=clang cmake -S . -B build-fuzz && cmake --build build-fuzz
# --target fuzz_tickfile, then build-fuzz/tests/fuzz_tickfile -max_total_time=20.
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_tickfile ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_tickfile.c)
  target_compile_options(fuzz_tickfile PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_tickfile PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_tickfile PRIVATE tc_ingest tc_shm tc_rt)
  set_target_properties(fuzz_tickfile PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
endif()
