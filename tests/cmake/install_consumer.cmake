# Install the built C++ core to a fresh prefix and build + run the consumer
# project tests/cmake/consumer against it (find_package(magpk CONFIG) ->
# magpk::core). Run by ctest (test magpk_install_consumer) as
#   cmake -DMAGPK_BUILD_DIR=<build> -DWORK_DIR=<scratch> -DCXX_COMPILER=<c++>
#         [-DCONFIG=<Release>] [-DGENERATOR=<gen>] -P install_consumer.cmake
foreach(_var MAGPK_BUILD_DIR WORK_DIR CXX_COMPILER)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "install_consumer.cmake: -D${_var}=... is required")
  endif()
endforeach()
if(NOT CONFIG)
  set(CONFIG Release)
endif()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    string(JOIN " " _cmd ${ARGN})
    message(FATAL_ERROR "install_consumer: failed (${_rc}): ${_cmd}")
  endif()
endfunction()

set(_prefix "${WORK_DIR}/prefix")
set(_build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")

run("${CMAKE_COMMAND}" --install "${MAGPK_BUILD_DIR}" --prefix "${_prefix}" --config "${CONFIG}")
foreach(_file include/magpk/simulation.hpp)
  if(NOT EXISTS "${_prefix}/${_file}")
    message(FATAL_ERROR "install_consumer: ${_file} was not installed")
  endif()
endforeach()
file(GLOB_RECURSE _configs "${_prefix}/*/magpkConfig.cmake")
if(NOT _configs)
  message(FATAL_ERROR "install_consumer: no magpkConfig.cmake under ${_prefix}")
endif()

# Only the install prefix is given: the source and build trees stay unknown.
set(_generator_args "")
if(GENERATOR)
  set(_generator_args -G "${GENERATOR}")
endif()
run("${CMAKE_COMMAND}" -S "${CMAKE_CURRENT_LIST_DIR}/consumer" -B "${_build}" ${_generator_args}
    "-DCMAKE_PREFIX_PATH=${_prefix}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_BUILD_TYPE=${CONFIG}" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
run("${CMAKE_COMMAND}" --build "${_build}" --config "${CONFIG}")
find_program(_consumer magpk_consumer PATHS "${_build}" "${_build}/${CONFIG}" NO_DEFAULT_PATH
             REQUIRED)
run("${_consumer}")
