/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The native floor of `make bench`: echo-lines.h on a tty opened as Linux qemu-ga opens an
 * isa-serial path (raw mode), so its round trip is the pty's own cost.  Usage: echo-posix /dev/pts/N.
 * Exits when the host hangs up (EIO) or the read fails. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "echo-lines.h"

static bool fd_write(void *opaque, const char *data, size_t len)
{
    int fd = *(int *)opaque;

    while (len)
    {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

static struct echo_lines lines;

int main(int argc, char **argv)
{
    static char buffer[ECHO_READ_SIZE];
    struct termios tio;
    int fd;

    if (argc != 2)
    {
        fprintf(stderr, "usage: echo-posix /dev/pts/N\n");
        return 2;
    }
    if ((fd = open(argv[1], O_RDWR | O_NOCTTY)) < 0)
    {
        perror(argv[1]);
        return 1;
    }
    if (!tcgetattr(fd, &tio))
    {
        cfmakeraw(&tio);
        tcsetattr(fd, TCSANOW, &tio);
    }
    for (;;)
    {
        ssize_t n = read(fd, buffer, sizeof(buffer));

        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (!echo_feed(&lines, buffer, (size_t)n, fd_write, &fd)) break;
    }
    close(fd);
    return 0;
}
