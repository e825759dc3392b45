/* The libcurl floor: the leanest plain-C libcurl loop LIBCURL-NOTES.md describes (multi_perform +
 * multi_poll, one shared pre-parsed URL, NOSIGNAL, NOPROXY, pinned DNS, discarding write callback,
 * five phase timings and the status read per response). driver.sh runs it beside Gauntlet so that
 * "Gauntlet / floor" is the share of libcurl's own cost that Gauntlet's Swift layer adds, measured in
 * the same run on the same nginx.
 *
 * Usage: libcurl-floor URL CONNECTIONS SECONDS   -> prints "requests failed seconds"
 * Build: cc -O2 libcurl-floor.c -lcurl -o libcurl-floor
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t count, void *context) {
    (void)data; (void)context;
    return size * count;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s URL CONNECTIONS SECONDS\n", argv[0]);
        return 2;
    }
    int connections = atoi(argv[2]);
    double seconds = atof(argv[3]);
    if (connections < 1 || seconds <= 0) {
        fprintf(stderr, "libcurl-floor: CONNECTIONS must be >= 1 and SECONDS > 0\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLU *url = curl_url();
    if (curl_url_set(url, CURLUPART_URL, argv[1], 0) != CURLUE_OK) {
        fprintf(stderr, "libcurl-floor: cannot parse URL %s\n", argv[1]);
        return 2;
    }
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)connections);
    for (int i = 0; i < connections; i++) {
        CURL *easy = curl_easy_init();
        curl_easy_setopt(easy, CURLOPT_CURLU, url);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(easy, CURLOPT_DNS_CACHE_TIMEOUT, -1L);
        curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
        curl_multi_add_handle(multi, easy);
    }
    long requests = 0, failed = 0;
    double start = now(), end = start + seconds;
    int running = connections;
    while (running > 0) {
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int left;
        int stopping = now() >= end;
        while ((message = curl_multi_info_read(multi, &left))) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *easy = message->easy_handle;
            long status = 0;
            curl_off_t t[5];
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(easy, CURLINFO_NAMELOOKUP_TIME_T, &t[0]);
            curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &t[1]);
            curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &t[2]);
            curl_easy_getinfo(easy, CURLINFO_STARTTRANSFER_TIME_T, &t[3]);
            curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &t[4]);
            requests++;
            if (message->data.result != CURLE_OK || status != 204) failed++;
            curl_multi_remove_handle(multi, easy);
            if (!stopping) {
                curl_multi_add_handle(multi, easy);
                running++;
            }
        }
        if (running > 0) curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    printf("%ld %ld %.3f\n", requests, failed, now() - start);
    return 0;
}
