# Warning set every project target builds clean with; third-party headers are included as SYSTEM.
function(oncotrack_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                         -Wcast-align -Woverloaded-virtual -Wdouble-promotion
                         -Wformat=2 -Wimplicit-fallthrough)
  if(ONCOTRACK_ARCH)
    target_compile_options(${target} PRIVATE -march=${ONCOTRACK_ARCH})
  endif()
endfunction()

if(ONCOTRACK_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
endif()
option(ONCOTRACK_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(ONCOTRACK_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
