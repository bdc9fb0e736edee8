// A plain-C reference for `add` of many small files: read N files and create N 1 KiB
// files in 256 shard dirs with T threads, nothing else (no hashing, no manifest).
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *src, *dst;
static int n, nthreads;
static char **names;

static void *work(void *arg) {
  long t = (long)arg;
  char buf[65536], path[4096];
  for (int i = t; i < n; i += nthreads) {
    snprintf(path, sizeof path, "%s/%s", src, names[i]);
    int fd = open(path, O_RDONLY | O_NOATIME);
    if (fd < 0) { perror(path); exit(1); }
    ssize_t len = read(fd, buf, sizeof buf);
    close(fd);
    snprintf(path, sizeof path, "%s/%02x/%030d", dst, i % 256, i);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0444);
    if (fd < 0) { perror(path); exit(1); }
    if (write(fd, buf, len) != len) { perror("write"); exit(1); }
    close(fd);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: floor SRC_DIR DST_DIR THREADS\n"); return 2; }
  src = argv[1]; dst = argv[2]; nthreads = atoi(argv[3]);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  DIR *d = opendir(src);
  struct dirent *e;
  int cap = 1024; names = malloc(cap * sizeof *names);
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) names = realloc(names, (cap *= 2) * sizeof *names);
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  mkdir(dst, 0755);
  char path[4096];
  for (int i = 0; i < 256; i++) { snprintf(path, sizeof path, "%s/%02x", dst, i); mkdir(path, 0755); }
  pthread_t th[64];
  for (long t = 0; t < nthreads; t++) pthread_create(&th[t], 0, work, (void *)t);
  for (int t = 0; t < nthreads; t++) pthread_join(th[t], 0);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.4f\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
  return 0;
}
