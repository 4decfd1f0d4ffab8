/*
 * dx_root.c — the PATH arguments of a run, each spelled one way (see
 * dx_root.h).
 */
#define _GNU_SOURCE /* realpath, get_current_dir_name */
#include "dx_root.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Strings remembered by dx_roots_find (records share a few PATHs; past
 * this many, answers are worked out each time). */
#define MEMO_MAX 64

struct dx_roots {
    char **canon;
    size_t n;
    struct memo {
        char *s;
        long idx;
    } memo[MEMO_MAX];
    size_t nmemo;
};

/* Appends component c (clen bytes) to the absolute path out (of length
 * *olen, room for PATH_MAX), handling "." and "..". 0, or -1 when it does
 * not fit. */
static int push_component(char *out, size_t *olen, const char *c, size_t clen)
{
    if (clen == 0 || (clen == 1 && c[0] == '.')) return 0;
    if (clen == 2 && c[0] == '.' && c[1] == '.') {
        while (*olen > 1 && out[*olen - 1] != '/') (*olen)--;
        if (*olen > 1) (*olen)--; /* the slash, unless it is the root's */
        out[*olen] = '\0';
        return 0;
    }
    size_t sep = *olen > 1 ? 1 : 0;
    if (*olen + sep + clen + 1 > PATH_MAX) return -1;
    if (sep) out[(*olen)++] = '/';
    memcpy(out + *olen, c, clen);
    *olen += clen;
    out[*olen] = '\0';
    return 0;
}

/* Adds the components of p to out (see push_component). */
static int push_path(char *out, size_t *olen, const char *p)
{
    while (*p) {
        const char *e = strchr(p, '/');
        size_t cl = e ? (size_t)(e - p) : strlen(p);
        if (push_component(out, olen, p, cl) != 0) return -1;
        p += cl;
        while (*p == '/') p++;
    }
    return 0;
}

char *dx_root_canon(const char *path)
{
    char *real = realpath(path, NULL);
    if (real) return real;
    char out[PATH_MAX];
    size_t olen = 1;
    strcpy(out, "/");
    if (path[0] != '/') {
        char *cwd = get_current_dir_name();
        if (!cwd) return NULL;
        int bad = push_path(out, &olen, cwd);
        free(cwd);
        if (bad) return NULL;
    }
    if (push_path(out, &olen, path) != 0) return NULL;
    return strdup(out);
}

dx_roots *dx_roots_new(void) { return calloc(1, sizeof(dx_roots)); }

void dx_roots_free(dx_roots *rs)
{
    if (!rs) return;
    for (size_t i = 0; i < rs->n; i++) free(rs->canon[i]);
    free(rs->canon);
    for (size_t i = 0; i < rs->nmemo; i++) free(rs->memo[i].s);
    free(rs);
}

int dx_roots_add(dx_roots *rs, const char *canon)
{
    char **v = realloc(rs->canon, (rs->n + 1) * sizeof *v);
    if (!v) return -1;
    rs->canon = v;
    if (!(v[rs->n] = strdup(canon))) return -1;
    rs->n++;
    /* Earlier answers may have been "none". */
    for (size_t i = 0; i < rs->nmemo; i++) free(rs->memo[i].s);
    rs->nmemo = 0;
    return 0;
}

static long exact(const dx_roots *rs, const char *s)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->canon[i], s) == 0) return (long)i;
    return -1;
}

/* 1 if the relative path s (no "..") names the last components of the
 * canonical path c. */
static int is_tail(const char *c, const char *s)
{
    char norm[PATH_MAX];
    size_t nl = 1;
    strcpy(norm, "/");
    if (push_path(norm, &nl, s) != 0 || nl == 1) return 0;
    size_t cl = strlen(c);
    /* norm is "/a/b": c must end in it, at a component boundary. */
    return cl >= nl && strcmp(c + cl - nl, norm) == 0;
}

/* dx_roots_find without the memo. */
static long find(const dx_roots *rs, const char *s)
{
    char *real = realpath(s, NULL);
    if (real) {
        long k = exact(rs, real);
        free(real);
        return k;
    }
    if (s[0] == '/' || !s[0]) return -1;
    for (const char *p = s; (p = strstr(p, "..")) != NULL; p += 2)
        if ((p == s || p[-1] == '/') && (p[2] == '/' || !p[2])) return -1;
    long found = -1;
    for (size_t i = 0; i < rs->n; i++)
        if (is_tail(rs->canon[i], s)) {
            if (found >= 0) return -1; /* two could be meant: neither */
            found = (long)i;
        }
    return found;
}

long dx_roots_find(dx_roots *rs, const char *recorded)
{
    long k = exact(rs, recorded);
    if (k >= 0) return k;
    for (size_t i = 0; i < rs->nmemo; i++)
        if (strcmp(rs->memo[i].s, recorded) == 0) return rs->memo[i].idx;
    k = find(rs, recorded);
    if (rs->nmemo < MEMO_MAX) {
        char *c = strdup(recorded);
        if (c) rs->memo[rs->nmemo++] = (struct memo){c, k};
    }
    return k;
}
