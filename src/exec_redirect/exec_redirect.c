// Loaded with LD_PRELOAD by `xstage run` into every dynamically linked
// program of a command tree (make, sh, libtool's wrapper scripts, ctest,
// python): an exec of a target ELF program (an aarch64 test binary) becomes
// an exec of the emulator named by XSTAGE_RUN_EMULATOR, with the program's
// path and arguments after `-0 ARGV0`, as binfmt_misc would do with root.
// Everything else (scripts, the build machine's programs) runs unchanged.
//
// glibc's exec functions call its internal __execve, which cannot be
// interposed, so each public entry point is wrapped here. The code runs
// between vfork and exec, so it allocates nothing: arrays live on the stack.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char** environ;

#define EXPORT __attribute__((visibility("default")))

typedef int (*execve_fn)(const char*, char* const[], char* const[]);
typedef int (*spawn_fn)(pid_t*, const char*, const posix_spawn_file_actions_t*, const posix_spawnattr_t*,
                        char* const[], char* const[]);

// The next definition of `name` (libc's). memcpy, because ISO C has no cast
// from an object pointer to a function pointer.
static execve_fn next_execve(const char* name) {
  void* symbol = dlsym(RTLD_NEXT, name);
  execve_fn function;
  memcpy(&function, &symbol, sizeof function);
  return function;
}

static spawn_fn next_spawn(const char* name) {
  void* symbol = dlsym(RTLD_NEXT, name);
  spawn_fn function;
  memcpy(&function, &symbol, sizeof function);
  return function;
}

// The ELF machine to redirect: XSTAGE_RUN_MACHINE (a number) or aarch64.
static int target_machine(void) {
  const char* machine = getenv("XSTAGE_RUN_MACHINE");
  return machine && *machine ? atoi(machine) : EM_AARCH64;
}

// Whether `path` is an ELF program of the target machine, which the build
// machine's kernel would refuse with ENOEXEC.
static int is_target_program(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return 0;
  }
  unsigned char header[EI_NIDENT + 4];
  ssize_t got = read(fd, header, sizeof header);
  close(fd);
  if (got < (ssize_t)sizeof header || memcmp(header, ELFMAG, SELFMAG) != 0) {
    return 0;
  }
  // e_type (2 bytes) then e_machine (2 bytes), in the file's byte order.
  int big_endian = header[EI_DATA] == ELFDATA2MSB;
  unsigned machine = big_endian ? (unsigned)(header[EI_NIDENT + 2] << 8 | header[EI_NIDENT + 3])
                                : (unsigned)(header[EI_NIDENT + 3] << 8 | header[EI_NIDENT + 2]);
  return (int)machine == target_machine();
}

// `file` found the way execvp does: as a path when it has a slash, else in
// PATH. Writes into `out` (PATH_MAX bytes); returns 0 when not found.
static int search_path(const char* file, const char* path_env, char* out) {
  if (strchr(file, '/')) {
    return strlen(file) < PATH_MAX ? (strcpy(out, file), 1) : 0;
  }
  const char* path = path_env ? path_env : "/bin:/usr/bin";
  size_t file_length = strlen(file);
  for (const char* start = path;; start = strchr(start, ':') + 1) {
    const char* end = strchr(start, ':');
    size_t length = end ? (size_t)(end - start) : strlen(start);
    if (length == 0) {
      length = 1;
      start = ".";
    }
    if (length + 1 + file_length < PATH_MAX) {
      memcpy(out, start, length);
      out[length] = '/';
      memcpy(out + length + 1, file, file_length + 1);
      struct stat info;
      if (stat(out, &info) == 0 && S_ISREG(info.st_mode) && access(out, X_OK) == 0) {
        return 1;
      }
    }
    if (!end) {
      return 0;
    }
  }
}

static size_t count(char* const list[]) {
  size_t n = 0;
  while (list && list[n]) {
    ++n;
  }
  return n;
}

// The emulator's argv for `path`: EMULATOR -0 ARGV0 PATH ARGS... into `out`,
// which holds count(argv) + 5 entries. Returns the emulator, or NULL when
// the program is not the target's or no emulator is set.
static const char* emulated(const char* path, char* const argv[], char** out) {
  const char* emulator = getenv("XSTAGE_RUN_EMULATOR");
  if (!emulator || !*emulator || !is_target_program(path)) {
    return NULL;
  }
  size_t n = count(argv);
  out[0] = (char*)emulator;
  out[1] = (char*)"-0";
  out[2] = n > 0 ? argv[0] : (char*)path;
  out[3] = (char*)path;
  for (size_t i = 1; i < n; ++i) {
    out[3 + i] = argv[i];
  }
  out[n < 1 ? 4 : n + 3] = NULL;
  return emulator;
}

EXPORT int execve(const char* path, char* const argv[], char* const envp[]) {
  char* redirected[count(argv) + 5];
  const char* emulator = emulated(path, argv, redirected);
  execve_fn real = next_execve("execve");
  return emulator ? real(emulator, redirected, envp) : real(path, argv, envp);
}

EXPORT int execv(const char* path, char* const argv[]) {
  return execve(path, argv, environ);
}

EXPORT int execvpe(const char* file, char* const argv[], char* const envp[]) {
  char found[PATH_MAX];
  if (*file && search_path(file, getenv("PATH"), found) && is_target_program(found)) {
    return execve(found, argv, envp);
  }
  return next_execve("execvpe")(file, argv, envp);
}

EXPORT int execvp(const char* file, char* const argv[]) {
  return execvpe(file, argv, environ);
}

// execl, execle and execlp: the variadic arguments gathered into an argv.
#define GATHER(first, args, argv, envp_out)                                                                  \
  size_t n = 1;                                                                                              \
  va_start(args, first);                                                                                     \
  while (va_arg(args, char*)) {                                                                              \
    ++n;                                                                                                     \
  }                                                                                                          \
  va_end(args);                                                                                              \
  char* argv[n + 1];                                                                                         \
  va_start(args, first);                                                                                     \
  argv[0] = (char*)first;                                                                                    \
  for (size_t i = 1; i <= n; ++i) {                                                                          \
    argv[i] = va_arg(args, char*);                                                                           \
  }                                                                                                          \
  envp_out;                                                                                                  \
  va_end(args)

EXPORT int execl(const char* path, const char* arg, ...) {
  va_list args;
  GATHER(arg, args, argv, (void)0);
  return execve(path, argv, environ);
}

EXPORT int execle(const char* path, const char* arg, ...) {
  va_list args;
  char* const* envp;
  GATHER(arg, args, argv, envp = va_arg(args, char* const*));
  return execve(path, argv, envp);
}

EXPORT int execlp(const char* file, const char* arg, ...) {
  va_list args;
  GATHER(arg, args, argv, (void)0);
  return execvp(file, argv);
}

static int spawn(const char* symbol, int search, pid_t* pid, const char* file,
                 const posix_spawn_file_actions_t* actions, const posix_spawnattr_t* attributes,
                 char* const argv[], char* const envp[]) {
  char found[PATH_MAX];
  const char* path = file;
  if (search) {
    path = search_path(file, getenv("PATH"), found) ? found : NULL;
  }
  char* redirected[count(argv) + 5];
  const char* emulator = path ? emulated(path, argv, redirected) : NULL;
  if (emulator) {
    return next_spawn("posix_spawn")(pid, emulator, actions, attributes, redirected, envp);
  }
  return next_spawn(symbol)(pid, file, actions, attributes, argv, envp);
}

EXPORT int posix_spawn(pid_t* pid, const char* path, const posix_spawn_file_actions_t* actions,
                       const posix_spawnattr_t* attributes, char* const argv[], char* const envp[]) {
  return spawn("posix_spawn", 0, pid, path, actions, attributes, argv, envp);
}

EXPORT int posix_spawnp(pid_t* pid, const char* file, const posix_spawn_file_actions_t* actions,
                        const posix_spawnattr_t* attributes, char* const argv[], char* const envp[]) {
  return spawn("posix_spawnp", 1, pid, file, actions, attributes, argv, envp);
}
