import Foundation

/// A one-zone DNS responder in Python on 127.0.0.1 (UDP, ephemeral port): every A query is answered
/// 127.0.0.1 with a TTL of `ttl` seconds; it counts the queries it answered (printed on request).
final class FakeDNS: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let input = Pipe()
    private let output = Pipe()

    init(ttl: Int) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.script, String(ttl)]
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        port = Int(output.fileHandleForReading.readLine().trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// How many queries it has answered.
    func queries() -> Int {
        input.fileHandleForWriting.write(Data("count\n".utf8))
        return Int(output.fileHandleForReading.readLine().trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    static let script = #"""
import socket, struct, sys, threading
ttl = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
count = [0]
def serve():
    while True:
        data, addr = s.recvfrom(512)
        i = 12
        while data[i] != 0: i += data[i] + 1
        question = data[12:i + 5]
        header = data[:2] + b"\x81\x80" + b"\x00\x01\x00\x01\x00\x00\x00\x00"
        answer = b"\xc0\x0c\x00\x01\x00\x01" + struct.pack(">I", ttl) + b"\x00\x04" + bytes([127, 0, 0, 1])
        count[0] += 1
        s.sendto(header + question + answer, addr)
threading.Thread(target=serve, daemon=True).start()
for line in sys.stdin:
    print(count[0], flush=True)
"""#
}
