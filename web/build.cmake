# web/build.cmake - the build's step for the dashboard (CMake target `web`, in ALL):
# checks that Node.js and the npm packages of package-lock.json are there, then runs
# web/build.mjs (web/src -> web/dist). Run by CMakeLists.txt as
#   cmake -DSOURCE_DIR=<source tree> -P web/build.cmake
# It installs nothing: `make deps` (scripts/deps.sh) does. Node is looked up here, when the
# step runs, not when CMake configures, so that `make deps` then a rebuild is enough.
cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "web/build.cmake: SOURCE_DIR is not set")
endif()
set(hint "run make deps (it installs Node.js and the npm packages of package-lock.json)")

find_program(NODE node)
if(NOT NODE)
  message(FATAL_ERROR "the dashboard cannot be built: node not found in PATH: ${hint}")
endif()
# npm ci writes node_modules/.package-lock.json; scripts/deps.sh reinstalls when
# package-lock.json is newer than it. The same test here, so that a stale tree is named.
set(installed "${SOURCE_DIR}/node_modules/.package-lock.json")
if(NOT EXISTS "${installed}")
  message(FATAL_ERROR
    "the dashboard cannot be built: the npm packages are not installed (no ${installed}): ${hint}")
endif()
if("${SOURCE_DIR}/package-lock.json" IS_NEWER_THAN "${installed}")
  message(FATAL_ERROR
    "the dashboard cannot be built: package-lock.json changed since the npm packages were "
    "installed: ${hint}")
endif()
# Every package of package.json, read from it so that this list cannot drift from it.
file(READ "${SOURCE_DIR}/package.json" manifest)
string(JSON npkg LENGTH "${manifest}" devDependencies)
math(EXPR last "${npkg} - 1")
foreach(i RANGE ${last})
  string(JSON pkg MEMBER "${manifest}" devDependencies ${i})
  if(NOT EXISTS "${SOURCE_DIR}/node_modules/${pkg}/package.json")
    message(FATAL_ERROR
      "the dashboard cannot be built: npm package ${pkg} is missing from "
      "${SOURCE_DIR}/node_modules: ${hint}")
  endif()
endforeach()

execute_process(COMMAND "${NODE}" web/build.mjs WORKING_DIRECTORY "${SOURCE_DIR}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the dashboard cannot be built: node web/build.mjs failed (${rc})")
endif()
