#ifndef GAUNTLET_CCURL_SHIM_H
#define GAUNTLET_CCURL_SHIM_H
#include <curl/curl.h>
#include <sys/timex.h>

/*
 * curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, which Swift cannot call.
 * These typed wrappers are the only way Swift code reaches them.
 */
static inline CURLcode gauntlet_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode gauntlet_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode gauntlet_easy_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode gauntlet_easy_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode gauntlet_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode gauntlet_easy_setopt_curlu(CURL *h, CURLoption o, CURLU *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode gauntlet_easy_setopt_write(CURL *h, curl_write_callback cb) { return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb); }
static inline CURLcode gauntlet_easy_setopt_header(CURL *h, curl_write_callback cb) { return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb); }
static inline CURLcode gauntlet_easy_setopt_read(CURL *h, curl_read_callback cb) { return curl_easy_setopt(h, CURLOPT_READFUNCTION, cb); }

static inline CURLcode gauntlet_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode gauntlet_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode gauntlet_easy_getinfo_ptr(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode gauntlet_easy_getinfo_str(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode gauntlet_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode gauntlet_multi_setopt_ptr(CURLM *m, CURLMoption o, void *v) { return curl_multi_setopt(m, o, v); }

/*
 * The wall clock's synchronisation as the kernel reports it (adjtimex, read-only: modes 0), for a shard's
 * record of its clock. Returns the clock state (TIME_ERROR: not synchronised); errors in microseconds.
 */
static inline int gauntlet_clock_state(long *maxerror, long *esterror, int *unsynchronised) {
    struct timex t = { 0 };
    int state = adjtimex(&t);
    *maxerror = t.maxerror;
    *esterror = t.esterror;
    *unsynchronised = (t.status & STA_UNSYNC) != 0;
    return state;
}

#endif
