-- wrk script for scripts/bench/upload.sh: POST the same NDJSON batch on every request.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/x-ndjson"
wrk.headers["x-api-key"] = os.getenv("API_KEY")

done = function(summary, latency, requests)
    local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    io.write(string.format("BENCH %d %d %d\n", summary.requests, summary.duration, bad))
end
