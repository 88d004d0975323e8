// Loaded with LD_PRELOAD by `xstage run` into every dynamically linked
// program of a command tree (make, sh, libtool's wrapper scripts, ctest,
// python): an exec of a target ELF program (an aarch64 test binary) becomes
// an exec of the emulator named by XSTAGE_RUN_EMULATOR, with the program's
// path and arguments after `-0 ARGV0`, as binfmt_misc would do with root. So
// does a script whose `#!` names a target program (the kernel would refuse
// that interpreter). Everything else (other scripts, the build machine's
// programs) runs unchanged.
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
// machine's kernel would refuse with ENOEXEC. A file without execute
// permission is not one: the kernel refuses it first (EACCES), and the
// caller then says "Permission denied", as it would for any program.
static int is_target_program(const char* path) {
  if (access(path, X_OK) != 0) {
    return 0;
  }
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

// A script's interpreter: the `#!` line of `path`, split into the
// interpreter (into `interpreter`, PATH_MAX bytes) and its one optional
// argument (into `argument`, PATH_MAX bytes, empty when none), as the kernel
// reads it. Returns 0 when `path` does not start with `#!`.
static int shebang(const char* path, char* interpreter, char* argument) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return 0;
  }
  char line[256];
  ssize_t got = read(fd, line, sizeof line - 1);
  close(fd);
  if (got < 3 || line[0] != '#' || line[1] != '!') {
    return 0;
  }
  line[got] = '\0';
  char* end = strchr(line, '\n');
  if (end) {
    *end = '\0';
  }
  char* start = line + 2;
  while (*start == ' ' || *start == '\t') {
    ++start;
  }
  size_t length = strcspn(start, " \t");
  if (length == 0 || length >= PATH_MAX) {
    return 0;
  }
  memcpy(interpreter, start, length);
  interpreter[length] = '\0';
  start += length;
  while (*start == ' ' || *start == '\t') {
    ++start;
  }
  length = strlen(start);
  while (length > 0 && (start[length - 1] == ' ' || start[length - 1] == '\t')) {
    --length;
  }
  memcpy(argument, start, length);
  argument[length] = '\0';
  return 1;
}

// The emulator's argv for `path` into `out`, which holds count(argv) + 7
// entries: EMULATOR -0 ARGV0 PATH ARGS... for a target program, and for a
// script whose `#!` names a target program (which the kernel would refuse,
// and glibc's execvp would then hand to /bin/sh), EMULATOR -0 INTERPRETER
// INTERPRETER [ARGUMENT] PATH ARGS..., as the kernel would have started it.
// `interpreter` and `argument` (PATH_MAX bytes each) hold the `#!` line's
// words. Returns the emulator, or NULL when nothing is the target's or no
// emulator is set.
static const char* emulated(const char* path, char* const argv[], char** out, char* interpreter,
                            char* argument) {
  const char* emulator = getenv("XSTAGE_RUN_EMULATOR");
  if (!emulator || !*emulator) {
    return NULL;
  }
  size_t n = count(argv);
  size_t next = 0;
  out[next++] = (char*)emulator;
  out[next++] = (char*)"-0";
  if (is_target_program(path)) {
    out[next++] = n > 0 ? argv[0] : (char*)path;
  } else if (shebang(path, interpreter, argument) && is_target_program(interpreter)) {
    out[next++] = interpreter;
    out[next++] = interpreter;
    if (*argument) {
      out[next++] = argument;
    }
  } else {
    return NULL;
  }
  out[next++] = (char*)path;
  for (size_t i = 1; i < n; ++i) {
    out[next++] = argv[i];
  }
  out[next] = NULL;
  return emulator;
}

// The buffers emulated() fills, on the caller's stack: the code runs between
// vfork and exec, so nothing is allocated.
#define REDIRECT_BUFFERS(argv)                                                                               \
  char* redirected[count(argv) + 7];                                                                         \
  char interpreter[PATH_MAX];                                                                                \
  char argument[PATH_MAX]

EXPORT int execve(const char* path, char* const argv[], char* const envp[]) {
  REDIRECT_BUFFERS(argv);
  const char* emulator = emulated(path, argv, redirected, interpreter, argument);
  execve_fn real = next_execve("execve");
  return emulator ? real(emulator, redirected, envp) : real(path, argv, envp);
}

EXPORT int execv(const char* path, char* const argv[]) {
  return execve(path, argv, environ);
}

EXPORT int execvpe(const char* file, char* const argv[], char* const envp[]) {
  char found[PATH_MAX];
  char interpreter[PATH_MAX];
  char argument[PATH_MAX];
  if (*file && search_path(file, getenv("PATH"), found) &&
      (is_target_program(found) ||
       (shebang(found, interpreter, argument) && is_target_program(interpreter)))) {
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
  REDIRECT_BUFFERS(argv);
  const char* emulator = path ? emulated(path, argv, redirected, interpreter, argument) : NULL;
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
