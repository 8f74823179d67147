/* Delivery through a local command (see notify.h): fork, exec with the message on stdin and
 * stderr captured, and wait with a deadline. The parent writes and reads through non-blocking
 * pipes driven by poll(), so a command that never reads its input or never exits cannot stall
 * the deliverer past the timeout. SIGPIPE (the command closed stdin early) is blocked in this
 * thread while writing and any pending one is consumed, so the process's handling of SIGPIPE
 * is left alone. */
#include "notify/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/banned.h"

__attribute__((format(printf, 4, 5))) static enum notify_result
outcome(struct notify_outcome *out, enum notify_result r, long status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    out->result = r;
    out->status = status;
    return r;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static _Noreturn void child(const char *const *argv, int in_fd, int err_fd)
{
    int null = open("/dev/null", O_WRONLY);
    if (dup2(in_fd, 0) < 0 || dup2(err_fd, 2) < 0 || null < 0 || dup2(null, 1) < 0)
        _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    execvp(argv[0], (char *const *)argv);
    dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

enum notify_result notify_command_run(const char *const *argv, const char *message, size_t len,
                                      long timeout_ms, struct notify_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (!argv || !argv[0])
        return outcome(out, NOTIFY_PERMANENT, 0, "command: no program");
    int in[2], er[2];
    if (pipe(in) < 0)
        return outcome(out, NOTIFY_RETRY, 0, "command: pipe: %s", strerror(errno));
    if (pipe(er) < 0) {
        close(in[0]);
        close(in[1]);
        return outcome(out, NOTIFY_RETRY, 0, "command: pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(in[0]), close(in[1]), close(er[0]), close(er[1]);
        return outcome(out, NOTIFY_RETRY, 0, "command: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(in[1]);
        close(er[0]);
        child(argv, in[0], er[1]);
    }
    close(in[0]);
    close(er[1]);
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    fcntl(er[0], F_SETFL, O_NONBLOCK);
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);

    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 10000);
    size_t off = 0;
    char errtext[256];
    size_t errlen = 0;
    bool timed_out = false;
    int in_fd = in[1], er_fd = er[0];
    if (len == 0) {
        close(in_fd);
        in_fd = -1;
    }
    while (er_fd >= 0) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd fds[2] = {{er_fd, POLLIN, 0}, {in_fd, POLLOUT, 0}};
        int rc = poll(fds, in_fd >= 0 ? 2 : 1, (int)(left < 1000 ? left : 1000));
        if (rc < 0 && errno != EINTR)
            break;
        if (rc <= 0)
            continue;
        if (in_fd >= 0 && fds[1].revents) {
            ssize_t w = write(in_fd, message + off, len - off);
            if (w > 0)
                off += (size_t)w;
            if ((w < 0 && errno != EAGAIN) || off == len) {
                close(in_fd); /* done, or the command stopped reading: it decides */
                in_fd = -1;
            }
        }
        if (fds[0].revents) {
            char tmp[256];
            ssize_t r = read(er_fd, tmp, sizeof tmp);
            if (r > 0) {
                size_t k = (size_t)r < sizeof errtext - 1 - errlen ? (size_t)r
                                                                   : sizeof errtext - 1 - errlen;
                memcpy(errtext + errlen, tmp, k);
                errlen += k;
            } else if (r == 0 || errno != EAGAIN) {
                close(er_fd); /* stderr closed: the command is exiting */
                er_fd = -1;
            }
        }
    }
    if (in_fd >= 0)
        close(in_fd);
    if (er_fd >= 0)
        close(er_fd);
    int status = 0;
    /* stderr may close before exit; wait out the rest of the deadline, then kill. */
    while (!timed_out && waitpid(pid, &status, WNOHANG) == 0) {
        if (now_ms() >= deadline) {
            timed_out = true;
            break;
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (timed_out) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
        ;
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    errtext[errlen] = '\0';
    char *nl = strchr(errtext, '\n');
    if (nl)
        *nl = '\0';
    if (timed_out)
        return outcome(out, NOTIFY_RETRY, 0, "command: %s: killed after %ld ms", argv[0],
                       timeout_ms > 0 ? timeout_ms : 10000L);
    if (WIFSIGNALED(status))
        return outcome(out, NOTIFY_RETRY, 0, "command: %s: killed by signal %d", argv[0],
                       WTERMSIG(status));
    int code = WEXITSTATUS(status);
    if (code == 0)
        return outcome(out, NOTIFY_OK, 0, "command: %s: done", argv[0]);
    return outcome(out, code == 75 ? NOTIFY_RETRY : NOTIFY_PERMANENT, code,
                   "command: %s: exit status %d%s%s", argv[0], code, errtext[0] ? ": " : "",
                   errtext);
}
