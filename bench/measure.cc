// Purpose: runs one command and prints one JSON line with its wall time, user
// and system CPU seconds and peak RSS (KiB) from wait4(), for scripts/bench.
// On Linux wait4's usage includes every descendant the command waited for, so
// a shell pipeline is measured whole (peak RSS: its largest process). A small
// C++ launcher rather than Python: the peak RSS a process reports includes
// its parent's at the fork, and this one's is about 1 MiB.
// Usage: bench_measure OUT_FILE CMD ARG...   (the command's stdout and stderr go to OUT_FILE)
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_measure OUT_FILE CMD ARG...\n");
    return 2;
  }
  const int out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0) {
    std::perror(argv[1]);
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return 1;
  }
  if (pid == 0) {
    dup2(out, 1);
    dup2(out, 2);
    execvp(argv[2], argv + 2);
    std::perror(argv[2]);
    _exit(127);
  }
  close(out);
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) < 0) {
    std::perror("wait4");
    return 1;
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  const double user = static_cast<double>(ru.ru_utime.tv_sec) + ru.ru_utime.tv_usec / 1e6;
  const double sys = static_cast<double>(ru.ru_stime.tv_sec) + ru.ru_stime.tv_usec / 1e6;
  std::printf(
      "{\"rc\": %d, \"wall_s\": %.6f, \"user_s\": %.6f, \"sys_s\": %.6f, \"cpu_s\": %.6f, "
      "\"maxrss_kib\": %ld}\n",
      rc, wall, user, sys, user + sys, ru.ru_maxrss);
  return 0;
}
