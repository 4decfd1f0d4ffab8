/*
 * dx_cpus.h — how many processors this process may use: the default
 * number of threads of a parallel build (diarium-index --jobs).
 */
#ifndef DX_CPUS_H
#define DX_CPUS_H

/* The processors the process may run on (its CPU affinity, as taskset or
 * a container's cpuset leave it), lowered to its cgroup's CPU quota when
 * one is set (cgroup v2 cpu.max of its cgroup and the cgroups above it,
 * or v1 cpu.cfs_quota_us / cpu.cfs_period_us), rounded up. At least 1. */
unsigned dx_cpus(void);

/* The processors a quota of `quota` microseconds per `period` allows,
 * rounded up; 0 for no limit (quota or period not positive). */
unsigned dx_cpus_quota(long long quota, long long period);

/* The same read from the text of a cgroup v2 cpu.max file ("max 100000",
 * "150000 100000"); 0 for no limit or text that does not parse. */
unsigned dx_cpus_max_text(const char *text);

#endif
