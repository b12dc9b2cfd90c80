# Test stages for the supervision tests: built on the real stage framework, installed
# where a test's tickcastd.bin_dir points (build/tests/bin), with a tickcastd beside them.
foreach(s testprod testcons)
  add_executable(tickcast-${s} ${CMAKE_CURRENT_LIST_DIR}/stages/${s}.c)
  target_link_libraries(tickcast-${s} PRIVATE tc_daemon tc_shm tc_rt)
  set_target_properties(tickcast-${s} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bin)
endforeach()
