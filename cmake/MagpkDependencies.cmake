# Dependency discovery for magpk.
#
# Provides:
#   Eigen3::Eigen          Eigen >= 3.3 (preferably cmeel-eigen from the Python env)
#   magpk::boost_headers   header-only Boost with boost/numeric/odeint.hpp
#                          (preferably the boost-headers Python package)
#
# Both are looked up through a Python interpreter first: under scikit-build-core
# this is the interpreter of the (possibly isolated) build environment, which
# has the build requirements on its sys.path. For plain CMake builds pass
# -DPython_EXECUTABLE=/path/to/venv/bin/python. If Python or the packages are
# not available we fall back to system-installed Eigen / Boost.

include_guard(GLOBAL)

if(NOT Python_Interpreter_FOUND)
  find_package(Python COMPONENTS Interpreter QUIET)
endif()

# ---------------------------------------------------------------------------
# Eigen3 (cmeel-eigen)
# ---------------------------------------------------------------------------
set(MAGPK_CMEEL_PREFIXES "")
if(Python_Interpreter_FOUND)
  # Every cmeel.prefix reachable from sys.path: either a sys.path entry that
  # lies inside a cmeel.prefix (added by cmeel's .pth), or a cmeel.prefix
  # folder directly inside a sys.path entry (site-packages/cmeel.prefix).
  set(_magpk_cmeel_script [=[
import os, sys
out = []
for p in sys.path:
    if not p:
        continue
    if "cmeel.prefix" in p:
        cand = p[: p.index("cmeel.prefix") + len("cmeel.prefix")]
    else:
        cand = os.path.join(p, "cmeel.prefix")
    if os.path.isdir(cand):
        cand = os.path.realpath(cand)
        if cand not in out:
            out.append(cand)
print(";".join(x.replace(os.sep, "/") for x in out), end="")
]=])
  execute_process(
    COMMAND "${Python_EXECUTABLE}" -c "${_magpk_cmeel_script}"
    OUTPUT_VARIABLE MAGPK_CMEEL_PREFIXES
    RESULT_VARIABLE _magpk_rc
    ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _magpk_rc EQUAL 0)
    set(MAGPK_CMEEL_PREFIXES "")
  endif()
endif()

if(MAGPK_CMEEL_PREFIXES)
  message(STATUS "magpk: cmeel prefixes from ${Python_EXECUTABLE}: ${MAGPK_CMEEL_PREFIXES}")
  list(PREPEND CMAKE_PREFIX_PATH ${MAGPK_CMEEL_PREFIXES})
else()
  message(STATUS "magpk: no cmeel.prefix on the Python path; looking for a system Eigen3")
endif()

# A reused build dir may cache Eigen3_DIR from a deleted (isolated) build env.
if(DEFINED Eigen3_DIR AND NOT EXISTS "${Eigen3_DIR}/Eigen3Config.cmake"
   AND NOT EXISTS "${Eigen3_DIR}/eigen3-config.cmake")
  unset(Eigen3_DIR CACHE)
endif()

find_package(Eigen3 3.3 CONFIG REQUIRED)
message(STATUS "magpk: Eigen3 ${Eigen3_VERSION} from ${Eigen3_DIR}")

# ---------------------------------------------------------------------------
# Boost headers (odeint)
# ---------------------------------------------------------------------------
set(_magpk_boost_hint "")
if(Python_Interpreter_FOUND)
  execute_process(
    COMMAND "${Python_EXECUTABLE}" -c
            "import boost_headers; print(str(boost_headers.get_include()).replace('\\\\', '/'), end='')"
    OUTPUT_VARIABLE _magpk_boost_hint
    RESULT_VARIABLE _magpk_rc
    ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _magpk_rc EQUAL 0)
    set(_magpk_boost_hint "")
  endif()
endif()

# Drop a stale cached path (e.g. from a deleted isolated build env) or one
# that differs from what the current interpreter provides.
if(MAGPK_BOOST_INCLUDE_DIR)
  if(NOT EXISTS "${MAGPK_BOOST_INCLUDE_DIR}/boost/numeric/odeint.hpp"
     OR (_magpk_boost_hint AND NOT MAGPK_BOOST_INCLUDE_DIR STREQUAL _magpk_boost_hint))
    unset(MAGPK_BOOST_INCLUDE_DIR CACHE)
  endif()
endif()

if(_magpk_boost_hint)
  find_path(MAGPK_BOOST_INCLUDE_DIR boost/numeric/odeint.hpp
            HINTS "${_magpk_boost_hint}" NO_DEFAULT_PATH)
endif()
find_path(MAGPK_BOOST_INCLUDE_DIR boost/numeric/odeint.hpp
          DOC "Folder containing boost/numeric/odeint.hpp")

if(NOT MAGPK_BOOST_INCLUDE_DIR)
  message(FATAL_ERROR
    "magpk: Boost.Odeint headers not found. Install the 'boost-headers' Python "
    "package into the interpreter given by -DPython_EXECUTABLE, or install "
    "system Boost headers (e.g. apt-get install libboost-dev), or set "
    "-DMAGPK_BOOST_INCLUDE_DIR=<dir containing boost/numeric/odeint.hpp>.")
endif()
message(STATUS "magpk: Boost headers from ${MAGPK_BOOST_INCLUDE_DIR}")

if(NOT TARGET magpk::boost_headers)
  add_library(magpk::boost_headers INTERFACE IMPORTED)
  # IMPORTED => consumers see it as a SYSTEM include (no warnings from Boost).
  set_target_properties(magpk::boost_headers PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${MAGPK_BOOST_INCLUDE_DIR}")
endif()
