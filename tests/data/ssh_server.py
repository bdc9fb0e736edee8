"""A small SSH server for the SSH remote test, on asyncssh (installed with dvc-ssh):
key authentication against one authorized key, commands run by /bin/sh, and SFTP (what
dvc's ssh plugin uses). It stands in for OpenSSH's sshd, so the test needs no system
SSH service.

    python ssh_server.py PORT HOST_KEY AUTHORIZED_KEYS
"""

import asyncio
import sys

import asyncssh


async def run_command(process):
    proc = await asyncio.create_subprocess_shell(
        process.command or "exec /bin/sh",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )

    async def feed():
        try:
            while data := await process.stdin.read(65536):
                proc.stdin.write(data)
                await proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError, asyncssh.Error):
            pass
        finally:
            proc.stdin.close()

    async def pump(source, sink):
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()

    # Every byte of output is sent before the exit status, and the exit status before
    # the channel closes (OpenSSH's connection sharing needs that order).
    feeder = asyncio.ensure_future(feed())
    await asyncio.gather(pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr))
    code = await proc.wait()
    feeder.cancel()
    process.exit(code)


async def main(port, host_key, authorized_keys):
    await asyncssh.create_server(
        asyncssh.SSHServer,
        "127.0.0.1",
        int(port),
        server_host_keys=[host_key],
        authorized_client_keys=authorized_keys,
        process_factory=run_command,
        encoding=None,
        sftp_factory=True,
        allow_scp=True,
    )
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
