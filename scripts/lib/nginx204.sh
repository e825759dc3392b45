# Sourced by the benchmarks: one nginx answering `return 204` on 127.0.0.1, the peers' common target.
# nginx204_start WORK — writes WORK/nginx.conf, starts nginx on a free loopback port, sets PORT and
# stops nginx (and removes WORK) when the shell exits.
nginx204_start() {
    local work="$1"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$PORT; location / { return 204; } }
}
CONF
    nginx -c "$work/nginx.conf" -p "$work"
    trap "nginx -c '$work/nginx.conf' -p '$work' -s stop 2>/dev/null || true; rm -rf '$work'" EXIT
}
