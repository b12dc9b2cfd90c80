# The ring stress test again, as a standalone program built with ThreadSanitizer, so
# `make test` always runs the lock-free code under TSan (criterion itself cannot start
# under TSan).  Asan and Ubsan builds skip it: TSan cannot be combined with ASan.  The
# Tsan build (`make tsan`) builds it with its own flags, which already are TSan's.
if(CMAKE_BUILD_TYPE MATCHES "^(Asan|Ubsan)$")
  return()
endif()
file(GLOB _tsan_src ${CMAKE_SOURCE_DIR}/shm/*.c ${CMAKE_SOURCE_DIR}/daemon/runtime/err.c
     ${CMAKE_SOURCE_DIR}/daemon/runtime/log.c ${CMAKE_SOURCE_DIR}/daemon/runtime/proc.c)
add_executable(shm_test_ring_stress_tsan ${CMAKE_CURRENT_LIST_DIR}/test_ring_stress.c ${_tsan_src})
target_include_directories(shm_test_ring_stress_tsan PRIVATE ${CMAKE_SOURCE_DIR})
target_compile_definitions(shm_test_ring_stress_tsan PRIVATE STRESS_RECORDS=1000000ULL STRESS_STANDALONE)
if(NOT CMAKE_BUILD_TYPE STREQUAL "Tsan")
  target_compile_options(shm_test_ring_stress_tsan PRIVATE -fsanitize=thread -O1 -g)
  target_link_options(shm_test_ring_stress_tsan PRIVATE -fsanitize=thread)
endif()
target_link_libraries(shm_test_ring_stress_tsan PRIVATE Threads::Threads)
set_target_properties(shm_test_ring_stress_tsan PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
add_test(NAME shm_test_ring_stress_tsan COMMAND shm_test_ring_stress_tsan)
set_tests_properties(shm_test_ring_stress_tsan PROPERTIES LABELS "shm;tsan" TIMEOUT 900
  ENVIRONMENT "TSAN_OPTIONS=halt_on_error=1 exitcode=66")
