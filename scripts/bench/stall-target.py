"""A keep-alive HTTP/1.1 target on 127.0.0.1 that answers 204 at once, except that it holds every response
during a window of STALL_FOR seconds every STALL_EVERY seconds (the first window starts when it starts).
Prints its port, then serves until killed. Usage: python3 stall-target.py STALL_EVERY STALL_FOR"""
import asyncio, sys, time

every, stall = float(sys.argv[1]), float(sys.argv[2])
start = time.monotonic()
RESPONSE = b"HTTP/1.1 204 No Content\r\nServer: stall-target\r\n\r\n"

async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            phase = (time.monotonic() - start) % every if every > 0 else stall
            if phase < stall:
                await asyncio.sleep(stall - phase)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()

asyncio.run(main())
