# Helpers shared by every folder's CMakeLists.txt.
#
# tc_library(NAME DIR DEPS...): a static library of every .c in DIR except main.c
# and *_main.c, so adding a source file needs no CMake edit.
function(tc_library name)
  cmake_parse_arguments(A "" "" "DEPS" ${ARGN})
  file(GLOB _src CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c)
  list(FILTER _src EXCLUDE REGEX "(/main\\.c|_main\\.c)$")
  if(NOT _src)
    set(_src ${CMAKE_SOURCE_DIR}/cmake/empty.c)
  endif()
  add_library(${name} STATIC ${_src})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${A_DEPS})
endfunction()

# tc_program(NAME SOURCE DEPS...): an executable placed in build/bin.
function(tc_program name source)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ${ARGN})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
endfunction()
