/*
 * dx_cpus.c — processors this process may use (see dx_cpus.h).
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "dx_cpus.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned dx_cpus_quota(long long quota, long long period)
{
    if (quota <= 0 || period <= 0) return 0;
    long long n = (quota + period - 1) / period;
    if (n < 1) n = 1;
    return n > 65535 ? 65535u : (unsigned)n;
}

unsigned dx_cpus_max_text(const char *text)
{
    if (!text) return 0;
    char *end = NULL;
    while (*text == ' ' || *text == '\t') text++;
    if (!strncmp(text, "max", 3)) return 0;
    long long quota = strtoll(text, &end, 10);
    if (end == text || (*end != ' ' && *end != '\t')) return 0;
    const char *p = end;
    long long period = strtoll(p, &end, 10);
    if (end == p) return 0;
    while (*end == ' ' || *end == '\t' || *end == '\n') end++;
    if (*end) return 0;
    return dx_cpus_quota(quota, period);
}

/* The first line of a small file, or "" (NUL-terminated in buf). */
static int read_line(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int ok = fgets(buf, (int)cap, f) != NULL;
    fclose(f);
    if (!ok) return -1;
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

/* The lowest limit (0: none) the cgroup v2 cpu.max files of the cgroup
 * `path` (as /proc/self/cgroup gives it, "/a/b") and its ancestors set. */
static unsigned quota_v2(const char *path)
{
    char dir[4096], file[4200], line[128];
    unsigned best = 0;
    if (snprintf(dir, sizeof dir, "/sys/fs/cgroup%s", path) >=
        (int)sizeof dir)
        return 0;
    size_t root = strlen("/sys/fs/cgroup");
    for (;;) {
        size_t n = strlen(dir);
        while (n > root && dir[n - 1] == '/') dir[--n] = '\0';
        snprintf(file, sizeof file, "%s/cpu.max", dir);
        if (read_line(file, line, sizeof line) == 0) {
            unsigned q = dx_cpus_max_text(line);
            if (q && (!best || q < best)) best = q;
        }
        if (n <= root) break;
        char *slash = strrchr(dir + root, '/');
        if (!slash) break;
        *slash = '\0';
    }
    return best;
}

/* cgroup v1: the cpu controller's quota for cgroup `path` (or, as inside
 * a container, for the hierarchy's root). */
static unsigned quota_v1(const char *path)
{
    static const char *const mounts[] = {"/sys/fs/cgroup/cpu",
                                         "/sys/fs/cgroup/cpu,cpuacct"};
    char dir[4096], file[4200], q[64], p[64];
    for (size_t m = 0; m < sizeof mounts / sizeof *mounts; m++)
        for (int with_path = 1; with_path >= 0; with_path--) {
            if (snprintf(dir, sizeof dir, "%s%s", mounts[m],
                         with_path ? path : "") >= (int)sizeof dir)
                continue;
            snprintf(file, sizeof file, "%s/cpu.cfs_quota_us", dir);
            if (read_line(file, q, sizeof q) != 0) continue;
            snprintf(file, sizeof file, "%s/cpu.cfs_period_us", dir);
            if (read_line(file, p, sizeof p) != 0) continue;
            return dx_cpus_quota(atoll(q), atoll(p));
        }
    return 0;
}

/* The CPU quota of this process's cgroup (0: none or not known). */
static unsigned cgroup_quota(void)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f) return 0;
    char line[4096];
    unsigned best = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        /* "hierarchy-id:controllers:path"; v2 has id 0 and no controllers */
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2) continue;
        *c2 = '\0';
        const char *ctl = c1 + 1, *path = c2 + 1;
        unsigned q = 0;
        if (!strcmp(line, "0") && !*ctl) {
            q = quota_v2(path);
        } else {
            /* v1: the hierarchy that has the cpu controller */
            char list[256];
            snprintf(list, sizeof list, ",%s,", ctl);
            if (strstr(list, ",cpu,")) q = quota_v1(path);
        }
        if (q && (!best || q < best)) best = q;
    }
    fclose(f);
    return best;
}

unsigned dx_cpus(void)
{
    long n = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
    if (n <= 0) n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n <= 0) n = 1;
    unsigned q = cgroup_quota();
    if (q && q < (unsigned long)n) n = (long)q;
    return (unsigned)n;
}
