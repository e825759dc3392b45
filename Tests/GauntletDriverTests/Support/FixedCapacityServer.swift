import Foundation

/// A target whose capacity is known: `workers` workers, each serving one request at a time in exactly
/// `service` seconds, so it serves `workers / service` requests per second and queues the rest
/// (every connection gets its own thread; each request is booked on the worker free soonest). After `dieAfter`
/// seconds (0: never) it closes its listener and every connection, as a crashed target would.
/// Python (python3 is on every CI image here); binds 127.0.0.1 port 0.
final class FixedCapacityServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    var url: String { "http://127.0.0.1:\(port)/" }

    init(workers: Int, service: Double, dieAfter: Double = 0) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.script, String(workers), String(service), String(dieAfter)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = output.fileHandleForReading.readLine()
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw FakeEdge.FakeEdgeError.noPort(line)
        }
        self.port = port
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    static let script = #"""
import os, socket, sys, threading, time
workers = int(sys.argv[1]); service = float(sys.argv[2]); die_after = float(sys.argv[3])
lock = threading.Lock()
free = [0.0] * workers
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0)); listener.listen(512)
print(listener.getsockname()[1], flush=True)
if die_after > 0:
    threading.Timer(die_after, lambda: os._exit(0)).start()
RESPONSE = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
def serve(conn):
    buf = b""
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data: return
                buf += data
            head, buf = buf.split(b"\r\n\r\n", 1)
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length": length = int(value)
            while len(buf) < length:
                data = conn.recv(65536)
                if not data: return
                buf += data
            buf = buf[length:]
            # The worker free soonest takes the request; its finish time follows from when the worker
            # was due free, not from when a busy machine woke this thread, so the capacity stays k/s.
            with lock:
                worker = min(range(workers), key=lambda w: free[w])
                free[worker] = max(time.monotonic(), free[worker]) + service
                deadline = free[worker]
            while (left := deadline - time.monotonic()) > 0: time.sleep(left)
            conn.sendall(RESPONSE)
    except OSError:
        pass
    finally:
        conn.close()
while True:
    conn, _ = listener.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
"""#
}
