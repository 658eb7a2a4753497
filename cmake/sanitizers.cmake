# Sanitizer and fuzzing builds (included from the root CMakeLists.txt before
# any target is made, so the flags reach every footfall target).
#
#   FOOTFALL_SANITIZE=ON  every target built and linked with AddressSanitizer +
#                         UndefinedBehaviorSanitizer (gcc or clang); UB aborts.
#                         scripts/test runs the whole ctest suite so, in build-asan.
#   FOOTFALL_FUZZ=ON      clang only: the same sanitizers plus libFuzzer's coverage
#                         instrumentation (-fsanitize=fuzzer-no-link) on the
#                         libraries, and the libFuzzer targets of tests/fuzz
#                         (linked with -fsanitize=fuzzer). scripts/fuzz builds and
#                         runs them in build-fuzz.
# With CMAKE_BUILD_TYPE=Debug both use -O1: fast enough for the test suite and
# the fuzzer, still exact stack traces.
option(FOOTFALL_SANITIZE "Build everything with AddressSanitizer + UBSan" OFF)
option(FOOTFALL_FUZZ "Build the libFuzzer targets of tests/fuzz (clang; implies the sanitizers)"
       OFF)

if(FOOTFALL_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "FOOTFALL_FUZZ needs clang (libFuzzer), e.g. "
                      "CC=clang-14 CXX=clang++-14 cmake -DFOOTFALL_FUZZ=ON ...")
endif()

if(FOOTFALL_SANITIZE OR FOOTFALL_FUZZ)
  # -fno-sanitize-recover=all: a UBSan finding aborts like an ASan one, so it
  # fails the test or the fuzz run instead of printing and carrying on.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
  if(CMAKE_BUILD_TYPE STREQUAL "Debug")
    add_compile_options(-O1)  # after Debug's -O0, so it wins
  endif()
endif()

if(FOOTFALL_FUZZ)
  # Coverage feedback for everything the fuzz targets link (capture, hashing,
  # analytics). The targets themselves add -fsanitize=fuzzer at link time.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
