/* launcher.c - background worker that starts, supervises and stops the .NET worker pool */
#include "postgres.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "kmersearch.h"

/*
 * With kmersearch.worker_autostart on (the embedded default), this
 * background worker runs the pool (kmersearch.worker_command) as a child
 * process, passing it the socket path, spill directory and pool size, restarts it with a growing delay
 * when it dies, and stops it when the server stops.  With autostart off the
 * pool is someone else's (systemd) and this worker only checks now and then
 * that something answers on the socket, logging when that changes.
 */

#define RESTART_DELAY_MIN_MS	1000
#define RESTART_DELAY_MAX_MS	60000
#define STABLE_RUN_MS			60000
#define CHECK_INTERVAL_MS		1000
#define EXTERNAL_CHECK_MS		10000
#define STOP_GRACE_MS			10000

static pid_t pool_pid = 0;

static void
start_pool(void)
{
	char		socket_arg[MAXPGPATH + 32];
	char		spill_arg[MAXPGPATH + 32];
	char		pool_size_arg[64];
	char		log_path[MAXPGPATH];
	pid_t		pid;

	snprintf(socket_arg, sizeof(socket_arg), "--Worker:SocketPath=%s", kmersearch_pool_socket_path());
	snprintf(spill_arg, sizeof(spill_arg), "--Worker:SpillDirectory=%s/kmersearch_spill", DataDir);
	snprintf(pool_size_arg, sizeof(pool_size_arg), "--Worker:PoolSize=%d", kmersearch_worker_pool_size);
	snprintf(log_path, sizeof(log_path), "%s/kmer-worker.log", DataDir);

	pid = fork();
	if (pid < 0)
	{
		ereport(LOG, (errmsg("could not start the k-mer worker pool: fork failed: %m")));
		return;
	}
	if (pid == 0)
	{
		/* Child: stop with the supervisor, write to the log, become the pool. */
		int			fd;

#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0)
		{
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
		{
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		execl(kmersearch_worker_command, kmersearch_worker_command, socket_arg, spill_arg, pool_size_arg, (char *) NULL);
		fprintf(stderr, "could not execute \"%s\": %s\n", kmersearch_worker_command, strerror(errno));
		_exit(127);
	}
	pool_pid = pid;
	ereport(LOG,
			(errmsg("started the k-mer worker pool \"%s\" (pid %d), socket \"%s\"",
					kmersearch_worker_command, (int) pid, kmersearch_pool_socket_path())));
}

static void
stop_pool(int code, Datum arg)
{
	(void) code;
	(void) arg;
	if (pool_pid <= 0)
		return;
	kill(pool_pid, SIGTERM);
	for (int waited = 0; waited < STOP_GRACE_MS; waited += 100)
	{
		if (waitpid(pool_pid, NULL, WNOHANG) != 0)
		{
			pool_pid = 0;
			return;
		}
		pg_usleep(100 * 1000L);
	}
	kill(pool_pid, SIGKILL);
	waitpid(pool_pid, NULL, 0);
	pool_pid = 0;
}

/* Does anything accept connections on the pool's socket? */
static bool
pool_answers(void)
{
	struct sockaddr_un addr;
	int			fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bool		ok;

	if (fd < 0)
		return false;
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	strlcpy(addr.sun_path, kmersearch_pool_socket_path(), sizeof(addr.sun_path));
	ok = connect(fd, (struct sockaddr *) &addr, sizeof(addr)) == 0;
	close(fd);
	return ok;
}

PGDLLEXPORT void kmersearch_launcher_main(Datum arg);

void
kmersearch_launcher_main(Datum arg)
{
	long		restart_delay = RESTART_DELAY_MIN_MS;
	TimestampTz next_start = 0;
	TimestampTz started_at = 0;
	bool		answered = true;

	(void) arg;
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();
	before_shmem_exit(stop_pool, (Datum) 0);

	while (!ShutdownRequestPending)
	{
		TimestampTz now = GetCurrentTimestamp();

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		if (pool_pid > 0)
		{
			int			status;
			pid_t		r = waitpid(pool_pid, &status, WNOHANG);

			if (r == pool_pid || (r < 0 && errno == ECHILD))
			{
				if (r < 0)
					status = 0;
				pool_pid = 0;
				/* A pool that ran for a while starts again promptly; a crash loop backs off. */
				if (TimestampDifferenceExceeds(started_at, now, STABLE_RUN_MS))
					restart_delay = RESTART_DELAY_MIN_MS;
				ereport(LOG,
						(errmsg("the k-mer worker pool exited (%s %d); restarting in %ld ms",
								WIFSIGNALED(status) ? "signal" : "status",
								WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
								restart_delay),
						 errhint("Its output is in kmer-worker.log in the data directory.")));
				next_start = TimestampTzPlusMilliseconds(now, restart_delay);
				restart_delay = Min(restart_delay * 2, RESTART_DELAY_MAX_MS);
			}
		}

		if (kmersearch_worker_autostart)
		{
			if (pool_pid == 0 && now >= next_start)
			{
				start_pool();
				started_at = now;
			}
		}
		else
		{
			bool		ok;

			if (pool_pid > 0)
				stop_pool(0, (Datum) 0);
			ok = pool_answers();
			if (ok != answered)
				ereport(ok ? LOG : WARNING,
						(errmsg(ok ? "the external k-mer worker pool answers on \"%s\""
								: "no k-mer worker pool answers on \"%s\"", kmersearch_pool_socket_path()),
						 ok ? 0 : errhint("Start it (systemctl start kmer-worker) or set kmersearch.worker_autostart = on.")));
			answered = ok;
		}

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 kmersearch_worker_autostart ? CHECK_INTERVAL_MS : EXTERNAL_CHECK_MS,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	proc_exit(0);
}

void
kmersearch_register_launcher(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_PostmasterStart;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_kmersearch");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "kmersearch_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "pg_kmersearch worker pool launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "pg_kmersearch launcher");
	RegisterBackgroundWorker(&worker);
}
