import Glibc

/// A failed system call on the store's files, with the call, the path and errno, so a person can act on it.
public struct StoreIOError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let path: String
    public let errno: Int32

    public var description: String {
        "\(call)(\(path)) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Every syscall the event store makes goes through here and throws a typed error (the NIO `System.swift` habit).
enum StoreFileSystem {
    @discardableResult
    static func check<T: BinaryInteger>(_ call: String, _ path: String, _ body: () -> T) throws(StoreIOError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw StoreIOError(call: call, path: path, errno: code)
        }
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws(StoreIOError) -> Int32 {
        try check("open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Writes all of `bytes`, looping over short writes.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(StoreIOError) {
        var done = 0
        while done < bytes.count {
            let n = try check("write", path) { Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done) }
            done += n
        }
    }

    static func pread(_ fd: Int32, count: Int, at position: Int64, path: String) throws(StoreIOError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { buffer in
                Glibc.pread(fd, buffer.baseAddress! + done, count - done, off_t(position) + off_t(done))
            }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw StoreIOError(call: "pread", path: path, errno: Glibc.errno)
            }
            if n == 0 { break }
            done += n
        }
        if done < count { out.removeLast(count - done) }
        return out
    }

    static func readFile(_ path: String) throws(StoreIOError) -> [UInt8] {
        let fd = try open(path, flags: O_RDONLY)
        defer { close(fd) }
        let size = try fileSize(fd, path: path)
        return try pread(fd, count: Int(size), at: 0, path: path)
    }

    static func fileSize(_ fd: Int32, path: String) throws(StoreIOError) -> Int64 {
        var info = Glibc.stat()
        try check("fstat", path) { fstat(fd, &info) }
        return Int64(info.st_size)
    }

    static func stat(_ path: String) throws(StoreIOError) -> Glibc.stat {
        var info = Glibc.stat()
        try check("stat", path) { fstatat(AT_FDCWD, path, &info, 0) }
        return info
    }

    static func dataSync(_ fd: Int32, path: String) throws(StoreIOError) {
        try check("fdatasync", path) { fdatasync(fd) }
    }

    static func truncate(_ fd: Int32, to size: Int64, path: String) throws(StoreIOError) {
        try check("ftruncate", path) { ftruncate(fd, off_t(size)) }
    }

    /// Makes a directory entry (a new or renamed file) durable.
    static func syncDirectory(_ path: String) throws(StoreIOError) {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try check("fsync", path) { fsync(fd) }
    }

    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(StoreIOError) {
        if Glibc.mkdir(path, mode) != 0 && Glibc.errno != EEXIST {
            throw StoreIOError(call: "mkdir", path: path, errno: Glibc.errno)
        }
    }

    static func unlink(_ path: String) throws(StoreIOError) {
        try check("unlink", path) { Glibc.unlink(path) }
    }

    static func rename(_ from: String, _ to: String) throws(StoreIOError) {
        try check("rename", to) { Glibc.rename(from, to) }
    }

    static func listDirectory(_ path: String) throws(StoreIOError) -> [String] {
        guard let dir = opendir(path) else { throw StoreIOError(call: "opendir", path: path, errno: Glibc.errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func modificationTime(_ path: String) throws(StoreIOError) -> Double {
        let info = try stat(path)
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    }
}
