# The demo behind `make demo`, end to end, as a test: it must exit 0 after training,
# serving, switching models mid-run (the swap message on the model topic) and draining.
if(CMAKE_BUILD_TYPE STREQUAL "Tsan")
  return()
endif()
add_test(NAME tools_demo COMMAND sh -c
  "out=$(${CMAKE_SOURCE_DIR}/tools/demo.sh ${CMAKE_BINARY_DIR}/bin 6 2>&1) || { echo \"$out\"; echo 'demo exited non-zero'; exit 1; }; \
   echo \"$out\" | grep -q '\"event\":\"swap\"' || { echo \"$out\"; echo 'no swap message'; exit 1; }; \
   echo \"$out\" | grep -q '\"topic\":\"pred\\.' || { echo \"$out\"; echo 'no prediction message'; exit 1; }; \
   echo \"$out\" | grep -q 'tickcastd exit status: 0' || { echo \"$out\"; echo 'no clean drain'; exit 1; }; \
   echo 'demo: trained, served, swapped models mid-run, drained'")
set_tests_properties(tools_demo PROPERTIES LABELS "tools" TIMEOUT 300)

# `tickcast bench ring --scaling`: each receiving process checks every sequence number, so
# a round reports ok only if one consumer, and then each of two required consumers beside
# an observer, saw every record in order (speed is BENCHMARKS.md's business, not this).
add_test(NAME tools_bench_ring_scaling COMMAND sh -c
  "out=$(${CMAKE_BINARY_DIR}/bin/tickcast bench ring --scaling 2 --records 200000 --repeats 1 --json 2>&1) || { echo \"$out\"; echo 'bench exited non-zero'; exit 1; }; \
   echo \"$out\"; \
   [ $(echo \"$out\" | grep -o '\"ok\":true' | wc -l) -eq 2 ] || { echo 'not every round delivered every record in order'; exit 1; }")
set_tests_properties(tools_bench_ring_scaling PROPERTIES LABELS "tools" TIMEOUT 120)
