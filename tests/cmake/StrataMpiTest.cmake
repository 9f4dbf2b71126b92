# One ctest per rank count, for MPI programs and for test scripts that start mpiexec.
#
#   strata_add_mpi_test(NAME <name> COMMAND <cmd...> RANKS <n...>
#                       [LABELS <label...>] [FIXTURES <fixture...>] [TIMEOUT <seconds>]
#                       [SKIP_RETURN_CODE <code>])
#     registers <name>.np<n> for each n, running `mpiexec [--oversubscribe] -n <n> <cmd...>`.
#
#   strata_add_mpi_script_test(<the same arguments>)
#     for commands that start mpiexec themselves (the integration scripts): registers
#     <name>.np<n> running <cmd...> with every "@RANKS@" in its arguments replaced by <n>.
#     Pass them the launcher as STRATA_MPIEXEC_LAUNCHER_STRING (mpiexec and its flags,
#     without -n).
#
# Both give each test the labels "mpi" and LABELS, FIXTURES_REQUIRED FIXTURES, PROCESSORS
# <n> (so `ctest -j` does not overbook the cores), TIMEOUT (default 600 s), SKIP_RETURN_CODE
# when given, and the environment OpenMPI needs on one machine run as root without ssh:
# run-as-root consent, no rsh agent, shared-memory transport without single-copy, and a
# session folder per test so tests run at once (ctest -j, other builds) cannot collide.
include_guard(GLOBAL)

if(NOT MPIEXEC_EXECUTABLE)
  find_package(MPI REQUIRED COMPONENTS CXX)
endif()

# OpenMPI refuses more ranks than cores unless told; other MPIs neither need nor know the flag.
execute_process(COMMAND ${MPIEXEC_EXECUTABLE} --version
                OUTPUT_VARIABLE _strata_mpiexec_version ERROR_VARIABLE _strata_mpiexec_version
                TIMEOUT 30)
set(STRATA_MPIEXEC_LAUNCHER ${MPIEXEC_EXECUTABLE})
if(_strata_mpiexec_version MATCHES "Open MPI|OpenRTE")
  list(APPEND STRATA_MPIEXEC_LAUNCHER --oversubscribe)
endif()
list(APPEND STRATA_MPIEXEC_LAUNCHER ${MPIEXEC_PREFLAGS})
if(NOT MPIEXEC_NUMPROC_FLAG)
  set(MPIEXEC_NUMPROC_FLAG -n)
endif()
list(JOIN STRATA_MPIEXEC_LAUNCHER " " STRATA_MPIEXEC_LAUNCHER_STRING)

set(STRATA_MPI_TEST_ENVIRONMENT
    OMPI_ALLOW_RUN_AS_ROOT=1
    OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    OMPI_MCA_plm_rsh_agent=
    OMPI_MCA_btl=self,vader)

function(_strata_register_rank_tests kind)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "NAME;TIMEOUT;SKIP_RETURN_CODE" "COMMAND;RANKS;LABELS;FIXTURES")
  if(NOT ARG_NAME OR NOT ARG_COMMAND OR NOT ARG_RANKS)
    message(FATAL_ERROR "strata_add_mpi_*test: NAME, COMMAND and RANKS are required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "strata_add_mpi_*test(${ARG_NAME}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  foreach(ranks IN LISTS ARG_RANKS)
    if(kind STREQUAL "program")
      set(command ${STRATA_MPIEXEC_LAUNCHER} ${MPIEXEC_NUMPROC_FLAG} ${ranks} ${ARG_COMMAND}
                  ${MPIEXEC_POSTFLAGS})
    else()
      string(REPLACE "@RANKS@" "${ranks}" command "${ARG_COMMAND}")
    endif()
    set(test ${ARG_NAME}.np${ranks})
    add_test(NAME ${test} COMMAND ${command})
    # A session folder of its own: OpenMPI jobs started at once by the same user share
    # /tmp/ompi.<host>.<uid>, and one job's cleanup can remove it under another's start-up
    # ("orte_session_dir failed"; open-mpi/ompi#8510).
    set(session OMPI_MCA_orte_tmpdir_base=${CMAKE_CURRENT_BINARY_DIR}/mpi-sessions/${test})
    set_tests_properties(${test} PROPERTIES
      ENVIRONMENT "${STRATA_MPI_TEST_ENVIRONMENT};${session}"
      LABELS "mpi;${ARG_LABELS}"
      PROCESSORS ${ranks}
      TIMEOUT ${ARG_TIMEOUT})
    if(ARG_FIXTURES)
      set_tests_properties(${test} PROPERTIES FIXTURES_REQUIRED "${ARG_FIXTURES}")
    endif()
    if(DEFINED ARG_SKIP_RETURN_CODE)
      set_tests_properties(${test} PROPERTIES SKIP_RETURN_CODE ${ARG_SKIP_RETURN_CODE})
    endif()
  endforeach()
endfunction()

function(strata_add_mpi_test)
  _strata_register_rank_tests(program ${ARGN})
endfunction()

function(strata_add_mpi_script_test)
  _strata_register_rank_tests(script ${ARGN})
endfunction()
