# Bakes the version and the git commit (or "unknown" outside a checkout) into generated/oncotrack/version.h.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                OUTPUT_VARIABLE ONCOTRACK_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
                RESULT_VARIABLE git_rc)
if(NOT git_rc EQUAL 0 OR NOT ONCOTRACK_GIT_COMMIT)
  set(ONCOTRACK_GIT_COMMIT "unknown")
endif()
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                OUTPUT_VARIABLE git_dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(git_dirty)
  string(APPEND ONCOTRACK_GIT_COMMIT "-dirty")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/version.h.in ${PROJECT_BINARY_DIR}/generated/oncotrack/version.h @ONLY)
